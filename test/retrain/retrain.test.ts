import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import type { RetrainConfig } from '../../trainer/retrain/config.ts';
import { createWorkspace, MODEL, runCli, STRONG, WEAK, type Workspace } from './workspace.ts';

/**
 * The job's decisions on tiny models trained inside the test: a first champion, a better candidate
 * promoted, a worse one rejected while the champion keeps serving, an unchanged snapshot skipped, then
 * rollback and promotion by hand through the CLI.
 */
let workspace: Workspace;
let weak: RetrainConfig;
let strong: RetrainConfig;
let weaker: RetrainConfig;
const versions: Record<'first' | 'better' | 'worse', string> = { first: '', better: '', worse: '' };

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-');
  weak = (await workspace.config('weak', WEAK)).parsed;
  strong = (await workspace.config('strong', STRONG)).parsed;
  weaker = (await workspace.config('weaker', { ...WEAK, learningRate: WEAK.learningRate / 2 })).parsed;
});

afterAll(async () => {
  await workspace?.remove();
});

// Each job trains, evaluates, exports and indexes a model: tens of seconds, more on a busy machine.
const JOB_TIMEOUT = 600_000;

describe('the retrain job', () => {
  it(
    'promotes the first candidate when there is no champion',
    async () => {
      const { summary, exitCode } = await workspace.retrain(weak);
      expect(exitCode).toBe(0);
      expect(summary).toMatchObject({ status: 'promoted', model: MODEL, champion: null });
      expect(summary.reason).toMatch(/^no champion yet: mean_average_precision_at_r /);
      versions.first = summary.version!;
      expect(await workspace.live()).toBe(versions.first);
      await verifyVersion(versionDir(workspace.artifactsDir, MODEL, versions.first));
      const record = (await workspace.records())[versions.first];
      expect(record).toMatchObject({
        status: 'champion',
        parentVersion: null,
        publishedAt: expect.any(String),
      });
      expect(record.metrics?.mean_average_precision_at_r).toBe(summary.candidate);
    },
    JOB_TIMEOUT,
  );

  it(
    'promotes a better candidate, retiring the champion',
    async () => {
      const { summary, exitCode } = await workspace.retrain(strong);
      expect(exitCode).toBe(0);
      expect(summary.status).toBe('promoted');
      expect(summary.candidate!).toBeGreaterThan(summary.champion! + 0.005);
      versions.better = summary.version!;
      expect(await workspace.live()).toBe(versions.better);
      const records = await workspace.records();
      expect(records[versions.first].status).toBe('retired');
      expect(records[versions.better]).toMatchObject({ status: 'champion', parentVersion: versions.first });
      // Both were compared on the same frozen synsets; the comparison is kept in the run.
      const comparison = JSON.parse(
        readFileSync(join(records[versions.better].runDir!, 'comparison.json'), 'utf8'),
      );
      expect(comparison.champion.version).toBe(versions.first);
      expect(records[versions.better].evalSet).toBe(records[versions.first].evalSet);
    },
    JOB_TIMEOUT,
  );

  it(
    'rejects a worse candidate with the reason, and the champion keeps serving untouched',
    async () => {
      const { summary, exitCode } = await workspace.retrain(weaker);
      expect(exitCode).toBe(3);
      expect(summary).toMatchObject({ status: 'rejected', metric: 'mean_average_precision_at_r' });
      expect(summary.reason).toMatch(/^worse than the champion: mean_average_precision_at_r /);
      versions.worse = summary.version!;
      expect(await workspace.live()).toBe(versions.better);
      await verifyVersion(versionDir(workspace.artifactsDir, MODEL, versions.better));
      expect(existsSync(versionDir(workspace.artifactsDir, MODEL, versions.worse))).toBe(false);
      const records = await workspace.records();
      expect(records[versions.worse]).toMatchObject({
        status: 'rejected',
        reason: summary.reason,
        publishedAt: null,
      });
      expect(records[versions.better].status).toBe('champion');
    },
    JOB_TIMEOUT,
  );

  it(
    'skips a data snapshot and config that were already trained',
    async () => {
      const { summary, exitCode } = await workspace.retrain(weaker);
      expect(exitCode).toBe(0);
      expect(summary).toMatchObject({ status: 'skipped', version: versions.worse });
      expect(summary.reason).toMatch(
        /already trained on this data snapshot with this config \(rejected: worse/,
      );
      expect(Object.keys(await workspace.records())).toHaveLength(3);
    },
    JOB_TIMEOUT,
  );

  it(
    'rolls back and promotes by hand from the command line',
    async () => {
      const flags = ['--artifacts', workspace.artifactsDir];
      const rollback = await runCli(['models', 'rollback', ...flags]);
      expect(rollback.code, rollback.stderr).toBe(0);
      expect(rollback.stdout).toBe(
        `${MODEL}: rolled back from ${versions.better} to ${versions.first}, which is live\n`,
      );
      expect(await workspace.live()).toBe(versions.first);
      let records = await workspace.records();
      expect(records[versions.better]).toMatchObject({
        status: 'rejected',
        reason: `rolled back to ${versions.first}`,
      });
      expect(records[versions.first].status).toBe('champion');

      const refused = await runCli(['models', 'promote', versions.worse, ...flags]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `${MODEL}@${versions.worse} was never published (rejected: worse than the champion`,
      );

      const promote = await runCli(['models', 'promote', versions.better, ...flags]);
      expect(promote.code, promote.stderr).toBe(0);
      expect(await workspace.live()).toBe(versions.better);
      records = await workspace.records();
      expect(records[versions.better].status).toBe('champion');
      expect(records[versions.first].status).toBe('retired');

      const list = await runCli(['models', 'list', ...flags]);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(MODEL);
      expect(lines[1]).toMatch(/^version\s+status\s+mean_average_precision_at_r\s+precision_at_1\s+parent/);
      expect(lines.slice(2).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
        [versions.worse, 'rejected'],
        [versions.better, 'champion'],
        [versions.first, 'retired'],
      ]);
    },
    JOB_TIMEOUT,
  );
});
