import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // dml-edge/metric, /eval and /client resolve to their TypeScript sources here (the package's `source`
  // condition); a consumer of the packed package gets the compiled dist/.
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: [
      'shared/**/*.test.ts',
      'trainer/**/*.test.ts',
      'edge/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // test/workers runs inside workerd: vitest.workers.config.ts.
    exclude: ['**/node_modules/**', 'test/workers/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The servers the suites start log one line per request (the access log is on by default); those
    // lines are kept out of the test output, which they would flood (the fuzz suite sends thousands).
    onConsoleLog: (log) => (log.includes('"message":"request"') ? false : undefined),
    // tfjs and onnxruntime keep process-wide state; forks isolate suites from each other.
    pool: 'forks',
    // Pipelines in tests always run Python's ONNX checker (python3-onnx, installed by .ci/run); the test of
    // a machine without it sets its own value.
    env: { DML_EDGE_ONNX_CHECKER: 'require' },
  },
});
