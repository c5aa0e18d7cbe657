import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { artifactPath, versionDir } from '../../shared/artifacts/layout.ts';
import { type Manifest, parseManifest } from '../../shared/manifest.ts';
import { readRunFile, runPath } from '../../trainer/pipeline/run-dir.ts';
import { parseTextConfig } from '../../trainer/tasks/text/config.ts';
import { TrainRunInfoSchema } from '../../trainer/tasks/text/stages/train.ts';

/**
 * The default model is the same on every machine: configs/wordnet-text.json trains a fixed number of
 * seeded steps with no wall-clock budget, so two runs of the same config, in two processes with two run
 * ids, write byte-identical ONNX files. Checked on the default config's own shape, shrunk to a few dozen
 * steps on a WordNet sample, through the real command line.
 */
const BIN = fileURLToPath(new URL('../../bin/dml-edge.js', import.meta.url));
const DEFAULT_CONFIG = fileURLToPath(new URL('../../configs/wordnet-text.json', import.meta.url));
const STEPS = 40;

const defaultJson = JSON.parse(readFileSync(DEFAULT_CONFIG, 'utf8'));
const root = mkdtempSync(join(tmpdir(), 'dml-reproducible-'));

/** The default config with the data, table and step count of a CI-sized run; every other field as shipped. */
function tinyDefault(seed: number) {
  return {
    ...defaultJson,
    name: 'tiny-default',
    seed,
    data: { ...defaultJson.data, validation: 0.1, test: 0.1, limit: 2000 },
    featurizer: { ...defaultJson.featurizer, buckets: 4096 },
    model: { embeddingDim: 16, outputDim: 16 },
    train: { ...defaultJson.train, batchSize: 64, steps: STEPS, evalEvery: 15 },
    index: { collection: 'tiny-default' },
    // No STS-B/PAWS, as on a fresh clone.
    datasets: join(root, 'no-datasets'),
  };
}

interface Run {
  runDir: string;
  artifactsDir: string;
}

/**
 * The CLI in its own process; resolves with its stderr when it exits, or when `stopWhen` matches its output
 * and kills it.
 */
function cli(args: string[], stopWhen?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stopWhen?.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || (stopWhen && signal === 'SIGKILL')) resolve(stderr);
      else reject(new Error(`dml-edge ${args.join(' ')}: exit ${code ?? signal}\n${stderr}`));
    });
  });
}

/**
 * `dml-edge pipeline` on a config file in a fresh folder. With `interruptAt`, the first process is killed
 * once that step's validation has been checkpointed, and `pipeline --run <id>` finishes the run.
 */
async function pipeline(name: string, config: object, interruptAt?: number): Promise<Run & { log: string }> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const folders = ['--runs', join(dir, 'runs'), '--artifacts', join(dir, 'artifacts')];
  const stopWhen = interruptAt ? new RegExp(`validation at step ${interruptAt}:`) : undefined;
  let log = await cli(['pipeline', '--config', configPath, ...folders], stopWhen);
  const [runId] = readdirSync(join(dir, 'runs'));
  if (interruptAt) log = await cli(['pipeline', '--run', runId, ...folders]);
  return { runDir: join(dir, 'runs', runId), artifactsDir: join(dir, 'artifacts'), log };
}

async function publishedManifest(run: Run): Promise<Manifest> {
  const current = await readCurrent(run.artifactsDir, 'tiny-default');
  const dir = versionDir(run.artifactsDir, 'tiny-default', current!.version);
  return parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), dir);
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let first: Run;
let second: Run;
let otherSeed: Run;
let resumed: Run & { log: string };

beforeAll(async () => {
  mkdirSync(join(root, 'no-datasets'));
  // One after another: the runs must not differ because of when they ran, but in parallel they would
  // also compete for the cores, which must not matter either; sequential keeps CI load low.
  first = await pipeline('first', tinyDefault(1));
  second = await pipeline('second', tinyDefault(1));
  otherSeed = await pipeline('other-seed', tinyDefault(2));
  // Killed once step 30 is validated: the last checkpoint then holds step 15 or 30.
  resumed = await pipeline('resumed', tinyDefault(1), 30);
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the default model is reproducible', () => {
  it('the default config trains a fixed number of steps: no time budget, no early stop, one backend', () => {
    const config = parseTextConfig(defaultJson, DEFAULT_CONFIG);
    expect(config.train.steps).toBeGreaterThan(0);
    expect(config.train.maxMinutes).toBeUndefined();
    expect(config.train.patience).toBe(0);
    // tfjs-node, when installed, would train with other float kernels (and threads): pinned to wasm.
    expect(config.backend).toBe('wasm');
  });

  it('trains for exactly its fixed number of steps', () => {
    for (const run of [first, second]) {
      const info = readRunFile(run.runDir, 'run', TrainRunInfoSchema);
      expect(info.steps).toBe(STEPS);
      expect(info.stopReason).toBe('completed');
    }
  });

  it('two runs with the same seed write byte-identical model.onnx and model.int8.onnx', () => {
    expect(first.runDir).not.toBe(second.runDir);
    for (const file of ['model', 'modelInt8'] as const) {
      expect(
        readFileSync(runPath(second.runDir, file)).equals(readFileSync(runPath(first.runDir, file))),
      ).toBe(true);
    }
  });

  it('their manifests record the same sha256 for both ONNX files, and it is the files’ own', async () => {
    const [a, b] = [await publishedManifest(first), await publishedManifest(second)];
    expect(a.version).not.toBe(b.version);
    for (const key of ['model', 'model_int8'] as const) {
      expect(a.files[key].sha256).toBe(b.files[key].sha256);
      expect(a.files[key].sha256).toBe(
        sha256(artifactPath(first.artifactsDir, 'tiny-default', a.version, key)),
      );
    }
  });

  it('a run killed during training and continued with `pipeline --run` writes the same bytes', () => {
    expect(resumed.log).toMatch(/resuming from .* at step (15|30)\b/);
    const info = readRunFile(resumed.runDir, 'run', TrainRunInfoSchema);
    expect(info.steps).toBe(STEPS);
    for (const file of ['model', 'modelInt8'] as const) {
      expect(
        readFileSync(runPath(resumed.runDir, file)).equals(readFileSync(runPath(first.runDir, file))),
      ).toBe(true);
    }
  });

  it('another seed gives another model', () => {
    expect(
      readFileSync(runPath(otherSeed.runDir, 'model')).equals(readFileSync(runPath(first.runDir, 'model'))),
    ).toBe(false);
  });
});
