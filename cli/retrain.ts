import { join, resolve } from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '../trainer/backend/index.ts';
import { loadRetrainConfig } from '../trainer/retrain/config.ts';
import { runRetrain } from '../trainer/retrain/job.ts';
import { EXIT_CODES, formatSummary } from '../trainer/retrain/summary.ts';
import { createProgress } from '../trainer/train/progress.ts';
import type { Command } from './commands.ts';

type Values = Record<string, string | boolean | undefined>;

const DEFAULT_CONFIG = 'configs/retrain-wordnet.json';

/** The artifacts folder and the registry in it, as every command that touches them resolves them. */
export function artifactPaths(values: Values): { artifactsDir: string; registryPath: string } {
  const artifactsDir = resolve(String(values.artifacts ?? process.env.DML_EDGE_ARTIFACTS ?? 'artifacts'));
  const registryPath = resolve(
    String(values.registry ?? process.env.DML_EDGE_REGISTRY ?? join(artifactsDir, 'registry.db')),
  );
  return { artifactsDir, registryPath };
}

export const registryOptions = {
  artifacts: { type: 'string' },
  registry: { type: 'string' },
} as const;

export const registryHelp: [string, string][] = [
  ['--artifacts <dir>', 'published models (env DML_EDGE_ARTIFACTS; default artifacts)'],
  ['--registry <file>', 'the version registry (env DML_EDGE_REGISTRY; default <artifacts>/registry.db)'],
];

/**
 * `dml-edge retrain`: progress goes to stderr; stdout gets exactly one JSON line (the summary), and the
 * exit status says the same (see trainer/retrain/summary.ts), for cron, systemd and CI.
 */
export const retrainCommand: Command = {
  summary: 'nightly job: snapshot, train, gate against the champion, publish, switch; one JSON line out',
  options: {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
    runs: { type: 'string' },
    backend: { type: 'string' },
    wait: { type: 'boolean' },
    force: { type: 'boolean' },
    ...registryOptions,
  },
  help: [
    ['--config <file>', `retrain config (default ${DEFAULT_CONFIG})`],
    ['--runs <dir>', 'where run folders live (default runs)'],
    [
      '--backend <name>',
      `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')} (default: the training config's)`,
    ],
    ['--wait', `wait for a running job of the same model (default: exit ${EXIT_CODES.locked} at once)`],
    ['--force', 'retrain even when this data snapshot and config were already trained'],
    ...registryHelp,
  ],
  async run(values) {
    const started = performance.now();
    const configPath = String(values.config ?? DEFAULT_CONFIG);
    let config: ReturnType<typeof loadRetrainConfig>;
    try {
      config = loadRetrainConfig(configPath);
    } catch (error) {
      process.stdout.write(
        `${formatSummary({
          status: 'failed',
          model: null,
          version: null,
          metric: '',
          candidate: null,
          champion: null,
          reason: (error as Error).message,
          seconds: Math.round((performance.now() - started) / 100) / 10,
        })}\n`,
      );
      return EXIT_CODES.failed;
    }
    const { summary, exitCode } = await runRetrain({
      config,
      ...artifactPaths(values),
      runsDir: resolve(String(values.runs ?? 'runs')),
      backend: backendChoice(values.backend),
      force: values.force === true,
      wait: values.wait === true,
      progress: createProgress(),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    return exitCode;
  },
};

function backendChoice(value: Values[string]): BackendChoice | undefined {
  if (value === undefined) return undefined;
  const choice = BACKEND_CHOICES.find((c) => c === value);
  if (!choice) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}; got '${value}'`);
  return choice;
}
