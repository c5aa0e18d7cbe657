import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelDir, versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import { openVersionRegistry } from '../../trainer/registry/registry.ts';
import type { VersionRecord } from '../../trainer/registry/schema.ts';
import { lockPath } from '../../trainer/retrain/job.ts';
import type { KillPoint } from '../../trainer/retrain/kill-points.ts';
import {
  type CliRun,
  createWorkspace,
  MODEL,
  retrainArgs,
  runCli,
  startCli,
  summaryOf,
  WEAK,
  type Workspace,
} from './workspace.ts';

/**
 * Crash safety: `dml-edge retrain` runs as a child process and SIGKILLs itself after training, in the
 * middle of the export and in the middle of publishing (DML_EDGE_TEST_KILL_AT). Each time the previous
 * champion must still be live and intact, and the next run must resume the same candidate and finish.
 * Two jobs started together: one runs, the other exits at once with a clear message.
 */
const JOB_TIMEOUT = 600_000;
/** Every candidate passes, so each completed run makes a new champion for the next kill. */
const LENIENT_GATE = { tolerance: 1, floors: {} };

let workspace: Workspace;
let champion: string;
let learningRate = WEAK.learningRate;

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-kill-');
  const first = await workspace.config('first', WEAK, LENIENT_GATE);
  const { summary } = await workspace.retrain(first.parsed);
  expect(summary.status).toBe('promoted');
  champion = summary.version!;
}, JOB_TIMEOUT);

afterAll(async () => {
  await workspace?.remove();
});

/** A config the registry has not seen (a new learning rate), so the job trains a new candidate. */
async function newConfig(name: string): Promise<string> {
  learningRate *= 2;
  return (await workspace.config(name, { ...WEAK, learningRate }, LENIENT_GATE)).path;
}

async function newestVersion(): Promise<VersionRecord> {
  const registry = await openVersionRegistry(workspace.registryPath);
  try {
    return registry.list(MODEL)[0];
  } finally {
    registry.close();
  }
}

async function killAt(point: KillPoint, configPath: string): Promise<VersionRecord> {
  const run = await runCli(retrainArgs(workspace, configPath), { DML_EDGE_TEST_KILL_AT: point });
  expect(run.signal, run.stderr).toBe('SIGKILL');
  expect(run.stdout).toBe('');
  // The previous champion is still live and every one of its files matches its manifest.
  expect(await workspace.live()).toBe(champion);
  await verifyVersion(versionDir(workspace.artifactsDir, MODEL, champion));
  const candidate = await newestVersion();
  expect(candidate.status).toBe('candidate');
  expect(candidate.version).not.toBe(champion);
  return candidate;
}

const staleLockWarning = () => `warning: taking over ${lockPath(workspace.artifactsDir, MODEL)}`;

/** The run after a kill resumes the killed candidate and promotes it. */
function expectResumedAndPromoted(run: CliRun, candidate: VersionRecord, resumedStep: string): void {
  expect(run.code, run.stderr).toBe(0);
  expect(summaryOf(run)).toMatchObject({ status: 'promoted', version: candidate.version });
  expect(run.stderr).toContain(`resuming candidate ${candidate.version}`);
  expect(run.stderr).toContain(resumedStep);
}

async function expectLive(version: string): Promise<void> {
  expect(await workspace.live()).toBe(version);
  await verifyVersion(versionDir(workspace.artifactsDir, MODEL, version));
  champion = version;
}

describe('a retrain job killed at each step', () => {
  it(
    'after training: the champion serves on; the next run skips training and completes',
    async () => {
      const config = await newConfig('after-training');
      const candidate = await killAt('after-training', config);
      const runDir = candidate.runDir!;
      expect(existsSync(join(runDir, 'run.json'))).toBe(true);
      expect(existsSync(join(runDir, 'model.onnx'))).toBe(false);

      const run = await runCli(retrainArgs(workspace, config));
      expectResumedAndPromoted(run, candidate, '== train: done by an earlier attempt');
      // The killed job's lock names a dead pid: taken over, with a warning.
      expect(run.stderr).toContain(staleLockWarning());
      await expectLive(candidate.version);
    },
    JOB_TIMEOUT,
  );

  it(
    'mid-export: the champion serves on; the next run redoes the export and completes',
    async () => {
      const config = await newConfig('mid-export');
      const candidate = await killAt('mid-export', config);
      const runDir = candidate.runDir!;
      expect(existsSync(join(runDir, 'model.onnx'))).toBe(true);
      expect(existsSync(join(runDir, 'export.json'))).toBe(false);

      const run = await runCli(retrainArgs(workspace, config));
      expectResumedAndPromoted(run, candidate, '== evaluate: done by an earlier attempt');
      expect(run.stderr).toMatch(/\n== export\n/);
      await expectLive(candidate.version);
    },
    JOB_TIMEOUT,
  );

  it(
    'mid-publish: the new version is in place but not live; of two jobs started next, one completes it and the other exits 75',
    async () => {
      const config = await newConfig('mid-publish');
      const candidate = await killAt('mid-publish', config);
      await verifyVersion(versionDir(workspace.artifactsDir, MODEL, candidate.version));
      expect(candidate.publishedAt).not.toBeNull();

      const runs = await Promise.all([
        startCli(retrainArgs(workspace, config)).done,
        startCli(retrainArgs(workspace, config)).done,
      ]);
      const [winner, loser] = runs[0].code === 75 ? [runs[1], runs[0]] : runs;
      expectResumedAndPromoted(
        winner,
        candidate,
        'was published by an earlier attempt: verified, reusing it',
      );
      expect(loser.code, loser.stderr).toBe(75);
      // Whichever of the two moved the dead job's lock aside said so, once.
      expect((winner.stderr + loser.stderr).split(staleLockWarning()).length - 1).toBe(1);
      const refused = summaryOf(loser);
      expect(refused).toMatchObject({ status: 'failed', model: MODEL, version: null });
      expect(refused.reason).toMatch(
        new RegExp(
          `^locked: another retrain of ${MODEL} is running \\(pid \\d+ on .+, started .+\\); lock file `,
        ),
      );
      await expectLive(candidate.version);

      // Nothing half-written is left: version folders and the pointer only, and no lock.
      const entries = readdirSync(modelDir(workspace.artifactsDir, MODEL)).sort();
      expect(entries.filter((name) => name.startsWith('.'))).toEqual([]);
      expect(existsSync(lockPath(workspace.artifactsDir, MODEL))).toBe(false);
    },
    JOB_TIMEOUT,
  );
});
