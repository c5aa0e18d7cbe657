import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { openVersionRegistry } from '../../trainer/registry/registry.ts';
import type { VersionRecord } from '../../trainer/registry/schema.ts';
import { parseRetrainConfig, type RetrainConfig } from '../../trainer/retrain/config.ts';
import type { EventLog } from '../../trainer/retrain/event-log.ts';
import { runRetrain } from '../../trainer/retrain/job.ts';
import {
  type RetrainResult,
  type RetrainSummary,
  RetrainSummarySchema,
} from '../../trainer/retrain/summary.ts';

/**
 * Test-only: a throwaway artifacts + runs + registry folder, tiny retrain configs, and the two ways to
 * run the job: in this process (fast) or as `dml-edge retrain` in a child process (killable).
 */

export const MODEL = 'tiny-text';
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How big a model and how much training: a 4-dimensional one barely trained (MAP@R about 0.01 on the
 * tiny split) or a 32-dimensional one properly trained (about 0.06).
 */
export interface Effort {
  dim: number;
  epochs: number;
  learningRate: number;
}
export const WEAK: Effort = { dim: 4, epochs: 0.5, learningRate: 1e-6 };
export const STRONG: Effort = { dim: 32, epochs: 6, learningRate: 0.02 };

/**
 * A training config small enough for a job to finish in seconds on two cores. `datasets` names a folder
 * without STS-B and PAWS, so those benchmarks are skipped as on a fresh clone.
 */
export function tinyTraining(effort: Effort, datasets: string) {
  return {
    name: MODEL,
    seed: 3,
    backend: 'wasm',
    data: { source: 'wordnet', validation: 0.1, test: 0.1, limit: 2000 },
    featurizer: { buckets: 4096 },
    model: { embeddingDim: Math.max(8, effort.dim), outputDim: effort.dim },
    loss: { name: 'multiple_negatives_ranking', scale: 20, symmetric: true },
    train: {
      batchSize: 64,
      epochs: effort.epochs,
      maxMinutes: 2,
      evalEvery: 50,
      patience: 0,
      optimizer: { learningRate: effort.learningRate },
    },
    index: { collection: 'tiny-wordnet' },
    serve: 'model_int8',
    datasets,
  };
}

export interface Workspace {
  root: string;
  artifactsDir: string;
  runsDir: string;
  registryPath: string;
  /** Writes a retrain config file and returns its path and parsed form; `training` overrides fields of tinyTraining. */
  config(
    name: string,
    effort: Effort,
    gate?: Record<string, unknown>,
    training?: Record<string, unknown>,
  ): Promise<{ path: string; parsed: RetrainConfig }>;
  /** The job in this process; `events` is the edge's event log (recommendation models). */
  retrain(config: RetrainConfig, options?: { force?: boolean; events?: EventLog }): Promise<RetrainResult>;
  /** The live version of a model (default the text one), by the `current` pointer. */
  live(model?: string): Promise<string | undefined>;
  /** A model's registry records (default the text one's), by version. */
  records(model?: string): Promise<Record<string, VersionRecord>>;
  remove(): Promise<void>;
}

export async function createWorkspace(prefix: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const artifactsDir = join(root, 'artifacts');
  const runsDir = join(root, 'runs');
  const registryPath = join(artifactsDir, 'registry.db');
  const quiet = { update: () => undefined, log: (m: string) => void console.log(m), done: () => undefined };
  return {
    root,
    artifactsDir,
    runsDir,
    registryPath,
    async config(name, effort, gate = { tolerance: 0.005, floors: {} }, training = {}) {
      const json = {
        training: { ...tinyTraining(effort, join(root, 'no-datasets')), ...training },
        gate,
        report: false,
      };
      const path = join(root, `retrain-${name}.json`);
      await writeFile(path, JSON.stringify(json, null, 2));
      return { path, parsed: parseRetrainConfig(json, path) };
    },
    retrain: (config, options = {}) =>
      runRetrain({ config, artifactsDir, runsDir, registryPath, progress: quiet, ...options }),
    live: async (model = MODEL) => (await readCurrent(artifactsDir, model))?.version,
    async records(model = MODEL) {
      const registry = await openVersionRegistry(registryPath);
      try {
        return Object.fromEntries(registry.list(model).map((v) => [v.version, v]));
      } finally {
        registry.close();
      }
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `dml-edge <args>` (the real bin) in a child process; `done` resolves when it exits. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'dml-edge.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}

/** `dml-edge retrain` on the workspace, with its flags. */
export function retrainArgs(workspace: Workspace, configPath: string, ...extra: string[]): string[] {
  return [
    'retrain',
    '--config',
    configPath,
    '--artifacts',
    workspace.artifactsDir,
    '--runs',
    workspace.runsDir,
    ...extra,
  ];
}

/** The job's stdout must be exactly one JSON line: the summary. */
export function summaryOf(run: CliRun): RetrainSummary {
  const lines = run.stdout.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 1)
    throw new Error(`expected one line on stdout, got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return RetrainSummarySchema.parse(JSON.parse(lines[0]));
}
