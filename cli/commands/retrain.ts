import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { openStateDb, readEventsSince } from '../../edge/adapters/node/state-db.ts';
import { loadRetrainConfig, type RetrainConfig } from '../../trainer/retrain/config.ts';
import type { EventLog } from '../../trainer/retrain/edge-events-source.ts';
import { runRetrain } from '../../trainer/retrain/job.ts';
import { EXIT_CODES, formatSummary } from '../../trainer/retrain/summary.ts';
import { createProgress } from '../../trainer/train/progress.ts';
import {
  type ArtifactsFlag,
  artifactsDir,
  artifactsOption,
  type BackendFlag,
  backendOption,
  runsOption,
  stateOption,
  statePath,
} from '../options.ts';

const DEFAULT_CONFIG = 'configs/retrain-wordnet.json';

export interface RegistryFlags extends ArtifactsFlag {
  registry?: string;
}

/** The artifacts folder and the registry in it, as every command that touches them resolves them. */
export function artifactPaths(flags: RegistryFlags): { artifactsDir: string; registryPath: string } {
  const artifacts = artifactsDir(flags);
  const registryPath = resolve(
    flags.registry ?? process.env.DML_EDGE_REGISTRY ?? join(artifacts, 'registry.db'),
  );
  return { artifactsDir: artifacts, registryPath };
}

export function addRegistryOptions(command: Command): Command {
  return command
    .addOption(artifactsOption())
    .addOption(
      new Option(
        '--registry <file>',
        'the version registry (env DML_EDGE_REGISTRY; default <artifacts>/registry.db)',
      ),
    );
}

interface RetrainFlags extends RegistryFlags, BackendFlag {
  config: string;
  runs: string;
  wait?: boolean;
  force?: boolean;
  state?: string;
}

/**
 * `dml-edge retrain`: progress goes to stderr; stdout gets exactly one JSON line (the summary), and the
 * exit status says the same (see trainer/retrain/summary.ts), for cron, systemd and CI.
 */
async function retrain(flags: RetrainFlags): Promise<number> {
  const started = performance.now();
  let config: RetrainConfig;
  let events: OpenEventLog | undefined;
  try {
    config = loadRetrainConfig(flags.config);
    if (config.training.task === 'recommendation') events = await openEventLog(statePath(flags));
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
      ...artifactPaths(flags),
      runsDir: resolve(flags.runs),
      backend: flags.backend,
      force: flags.force === true,
      wait: flags.wait === true,
      events,
      progress: createProgress(),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    return exitCode;
  } finally {
    events?.close();
  }
}

export function retrainCommand(): Command {
  return addRegistryOptions(
    new Command('retrain')
      .description(
        'nightly job: snapshot, train, gate against the champion, publish, switch; one JSON line out',
      )
      .addOption(new Option('--config <file>', 'retrain config').default(DEFAULT_CONFIG))
      .addOption(runsOption())
      .addOption(backendOption("the training config's"))
      .addOption(
        new Option(
          '--wait',
          `wait for a running job of the same model (default: exit ${EXIT_CODES.locked} at once)`,
        ),
      )
      .addOption(
        new Option('--force', 'retrain even when this data snapshot and config were already trained'),
      )
      .addOption(stateOption()),
  ).action(async (flags: RetrainFlags) => {
    process.exitCode = await retrain(flags);
  });
}

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
