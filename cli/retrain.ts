import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStateDb, readEventsSince } from '../edge/adapters/node/state-db.ts';
import { BACKEND_CHOICES } from '../trainer/backend/index.ts';
import { loadRetrainConfig, type RetrainConfig } from '../trainer/retrain/config.ts';
import type { EventLog } from '../trainer/retrain/edge-events-source.ts';
import { runRetrain } from '../trainer/retrain/job.ts';
import { EXIT_CODES, formatSummary } from '../trainer/retrain/summary.ts';
import { createProgress } from '../trainer/train/progress.ts';
import { backendFlag } from './backend-flag.ts';
import type { Command } from './commands.ts';
import { statePath } from './keys.ts';

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
    state: { type: 'string' },
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
    [
      '--state <file>',
      "recommendation models: the edge's recorded events (env DML_EDGE_STATE; default <artifacts>/state.db)",
    ],
    ...registryHelp,
  ],
  async run(values) {
    const started = performance.now();
    let config: RetrainConfig;
    let events: OpenEventLog | undefined;
    try {
      config = loadRetrainConfig(String(values.config ?? DEFAULT_CONFIG));
      if (config.training.task === 'recommendation') events = await openEventLog(statePath(values));
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
    try {
      const { summary, exitCode } = await runRetrain({
        config,
        ...artifactPaths(values),
        runsDir: resolve(String(values.runs ?? 'runs')),
        backend: backendFlag(values.backend),
        force: values.force === true,
        wait: values.wait === true,
        events,
        progress: createProgress(),
      });
      process.stdout.write(`${formatSummary(summary)}\n`);
      return exitCode;
    } finally {
      events?.close();
    }
  },
};

type OpenEventLog = EventLog & { close(): void };

/**
 * The events recorded by a server on the same artifacts (`dml-edge serve --state`), read through the
 * state database's readEventsSince. No file yet: no event was ever recorded.
 */
export async function openEventLog(path: string): Promise<OpenEventLog> {
  if (!existsSync(path)) {
    return {
      location: `${path} (absent)`,
      readSince: (cursor) => ({ events: [], cursor }),
      close: () => undefined,
    };
  }
  const state = await openStateDb(path);
  return {
    location: path,
    readSince: (cursor, limit) => readEventsSince(state.db, cursor, limit),
    close: () => state.close(),
  };
}
