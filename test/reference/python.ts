import { execFileSync } from 'node:child_process';

/** Debian's Python, whose python3-sklearn (with scipy) is the reference our metrics are checked against. */
const PYTHON = '/usr/bin/python3';

/**
 * Runs `script` with `input` as JSON on stdin and returns what it prints as JSON. Reference tests call
 * scikit-learn and scipy themselves rather than values copied from them, so generated inputs can be many.
 */
export function runPythonReference<T>(script: string, input: unknown): T {
  let output: Buffer;
  try {
    output = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(
      `the Python reference could not run (.ci/run installs it: apt-get install python3-sklearn): ${error}`,
    );
  }
  return JSON.parse(output.toString()) as T;
}
