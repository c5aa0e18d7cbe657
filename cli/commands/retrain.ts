import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openStateDb, readEventsSince } from '../../edge/adapters/node/state-db.ts';
import { loadRetrainConfig, type RetrainConfig } from '../../trainer/retrain/config.ts';
import type { EventLog } from '../../trainer/retrain/event-log.ts';
import { runRetrain } from '../../trainer/retrain/job.ts';
import { EXIT_CODES, formatSummary } from '../../trainer/retrain/summary.ts';
import { retrainHooksOf } from '../../trainer/tasks/index.ts';
import { d1EventLog } from '../../trainer/tasks/recommendation/retrain/d1-event-log.ts';
import { createProgress } from '../../trainer/train/progress.ts';
import { addD1Options, type D1Flags, d1TargetOf, givenD1Flags } from '../d1-options.ts';
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

interface RetrainFlags extends RegistryFlags, BackendFlag, EventFlags {
  config: string;
  runs: string;
  wait?: boolean;
  force?: boolean;
}

const EVENT_SOURCES = ['state', 'd1'] as const;
type EventSource = (typeof EVENT_SOURCES)[number];

/** Where a recommendation model's recorded events come from, and the flags that locate them. */
export interface EventFlags extends ArtifactsFlag, D1Flags {
  /** `state` (the Node server's state database), `d1` (the Worker's), or both; env DML_EDGE_EVENTS. */
  events?: EventSource[];
  state?: string;
}

/** `--events state,d1`: a comma-separated list of sources, each once. */
function eventSources(text: string): EventSource[] {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(EVENT_SOURCES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0 || new Set(names).size !== names.length) {
    throw new InvalidArgumentError(`expected state, d1 or state,d1; got '${text}'`);
  }
  return names as EventSource[];
}

/** The sources the flags name; throws when a D1 flag is given without d1, or --persist-to without --local. */
function checkEventFlags(flags: EventFlags, env: NodeJS.ProcessEnv = process.env): EventSource[] {
  const sources = flags.events ?? (env.DML_EDGE_EVENTS ? eventSources(env.DML_EDGE_EVENTS) : ['state']);
  const d1Flags = givenD1Flags(flags);
  if (!sources.includes('d1') && d1Flags.length > 0) {
    throw new Error(`${d1Flags.join(', ')}: --local, --persist-to and --database apply to --events d1`);
  }
  if (flags.persistTo !== undefined && !flags.local) throw new Error('--persist-to needs --local');
  return sources;
}

/**
 * The event logs the flags name: the Node state database (`--state`; absent: no events) and/or the
 * Worker's D1 database through wrangler (trainer/tasks/recommendation/retrain/d1-event-log.ts). Close each when done.
 */
export async function openEventLogs(
  flags: EventFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenEventLog[]> {
  const sources = checkEventFlags(flags, env);
  const logs: OpenEventLog[] = [];
  for (const source of sources) {
    logs.push(
      source === 'state'
        ? await openEventLog(statePath(flags, env))
        : { ...d1EventLog(d1TargetOf(flags)), close: () => undefined },
    );
  }
  return logs;
}

/**
 * `dml-edge retrain`: progress goes to stderr; stdout gets exactly one JSON line (the summary), and the
 * exit status says the same (see trainer/retrain/summary.ts), for cron, systemd and CI.
 */
async function retrain(flags: RetrainFlags): Promise<number> {
  const started = performance.now();
  let config: RetrainConfig;
  let events: OpenEventLog[] = [];
  try {
    checkEventFlags(flags);
    config = loadRetrainConfig(flags.config);
    if (retrainHooksOf(config.training, flags.config).needsEventLogs) events = await openEventLogs(flags);
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
      ...(events.length > 0 && { events }),
      progress: createProgress(),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    return exitCode;
  } finally {
    for (const log of events) log.close();
  }
}

export function retrainCommand(): Command {
  return addD1Options(
    addRegistryOptions(
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
        .addOption(stateOption())
        .addOption(
          new Option(
            '--events <sources>',
            "recommendation models: the recorded events to train on: state (the Node server's state database), " +
              "d1 (the Worker's D1 database, through wrangler) or state,d1 (env DML_EDGE_EVENTS; default state)",
          ).argParser(eventSources),
        ),
    ),
    'with --events d1',
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
