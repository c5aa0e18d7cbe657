import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCurrent, setCurrent } from '../../shared/artifacts/current.ts';
import { artifactPath } from '../../shared/artifacts/layout.ts';
import { candidate, publishFixtureVersion } from '../../test/fixtures/registry-versions.ts';
import { ChampionChangedError, promoteVersion, rollbackChampion } from './champion.ts';
import { reconcileRegistry } from './reconcile.ts';
import { openVersionRegistry, type VersionRegistry } from './registry.ts';

let artifactsDir: string;
let registry: VersionRegistry;

beforeEach(async () => {
  artifactsDir = mkdtempSync(join(tmpdir(), 'champion-'));
  registry = await openVersionRegistry(join(artifactsDir, 'registry.db'));
});

afterEach(() => {
  registry.close();
  rmSync(artifactsDir, { recursive: true, force: true });
});

/** A candidate that was trained and published (not live). */
async function publishedCandidate(version: string): Promise<void> {
  await publishFixtureVersion(artifactsDir, 'tiny', version);
  registry.add(candidate('tiny', version));
  registry.markPublished('tiny', version);
}

const statuses = () => Object.fromEntries(registry.list('tiny').map((v) => [v.version, v.status]));
const live = async () => (await readCurrent(artifactsDir, 'tiny'))?.version;

describe('promoteVersion', () => {
  it('switches the pointer, crowns the version and retires the old champion', async () => {
    await publishedCandidate('v1');
    await publishedCandidate('v2');
    expect(
      await promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v1', reason: 'first' }),
    ).toEqual({ previous: null });
    expect(await live()).toBe('v1');
    expect(
      await promoteVersion({
        registry,
        artifactsDir,
        model: 'tiny',
        version: 'v2',
        reason: 'better',
        expectedChampion: 'v1',
      }),
    ).toEqual({ previous: 'v1' });
    expect(await live()).toBe('v2');
    expect(statuses()).toEqual({ v1: 'retired', v2: 'champion' });
    expect(registry.get('tiny', 'v2')?.reason).toBe('better');
  });

  it('changes nothing when the champion is not the one the caller compared against', async () => {
    await publishedCandidate('v1');
    await publishedCandidate('v2');
    await promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v1', reason: 'first' });
    await expect(
      promoteVersion({
        registry,
        artifactsDir,
        model: 'tiny',
        version: 'v2',
        reason: 'better',
        expectedChampion: null,
      }),
    ).rejects.toThrow(ChampionChangedError);
    expect(await live()).toBe('v1');
    expect(statuses()).toEqual({ v1: 'champion', v2: 'candidate' });
  });

  it('refuses a version that was never published, or whose files changed', async () => {
    registry.add(candidate('tiny', 'v1'));
    registry.setStatus('tiny', 'v1', 'rejected', 'worse than the champion');
    await expect(
      promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v1', reason: 'x' }),
    ).rejects.toThrow('tiny@v1 was never published (rejected: worse than the champion)');

    await publishedCandidate('v2');
    appendFileSync(artifactPath(artifactsDir, 'tiny', 'v2', 'model_int8'), 'tampered');
    await expect(
      promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v2', reason: 'x' }),
    ).rejects.toThrow(/refusing to make tiny@v2 live: .*model\.int8\.onnx has \d+ bytes/);
    expect(await live()).toBeUndefined();
    expect(registry.champion('tiny')).toBeUndefined();
  });
});

describe('rollbackChampion', () => {
  it('walks back through former champions, never returning to a rolled-back one', async () => {
    for (const version of ['v1', 'v2', 'v3']) {
      await publishedCandidate(version);
      await promoteVersion({ registry, artifactsDir, model: 'tiny', version, reason: 'passed' });
    }
    expect(await rollbackChampion({ registry, artifactsDir, model: 'tiny' })).toEqual({
      from: 'v3',
      to: 'v2',
    });
    expect(await live()).toBe('v2');
    expect(statuses()).toEqual({ v1: 'retired', v2: 'champion', v3: 'rejected' });
    expect(registry.get('tiny', 'v3')?.reason).toBe('rolled back to v2');

    expect(await rollbackChampion({ registry, artifactsDir, model: 'tiny' })).toEqual({
      from: 'v2',
      to: 'v1',
    });
    expect(await live()).toBe('v1');
    await expect(rollbackChampion({ registry, artifactsDir, model: 'tiny' })).rejects.toThrow(
      'tiny has no earlier champion to roll back to',
    );

    // A rolled-back version can still be promoted on purpose.
    await promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v3', reason: 'by hand' });
    expect(await live()).toBe('v3');
    expect(statuses()).toEqual({ v1: 'retired', v2: 'rejected', v3: 'champion' });
  });
});

describe('reconcileRegistry', () => {
  it('adopts versions published outside a job, with the current one as champion', async () => {
    await publishFixtureVersion(artifactsDir, 'tiny', 'p1', '2026-01-01T00:00:00.000Z');
    await publishFixtureVersion(artifactsDir, 'tiny', 'p2', '2026-01-02T00:00:00.000Z');
    await setCurrent(artifactsDir, 'tiny', 'p2');
    const changes = await reconcileRegistry(registry, artifactsDir, 'tiny');
    expect(changes).toEqual([
      'tiny@p1 adopted from its manifest',
      'tiny@p2 adopted from its manifest',
      expect.stringMatching(/^tiny@p2 is champion: the current pointer names p2/),
    ]);
    expect(statuses()).toEqual({ p1: 'retired', p2: 'champion' });
    expect(registry.get('tiny', 'p1')).toMatchObject({ runId: 'p1', config: { seed: 1, version: 'p1' } });
    // So a rollback works right away.
    expect(await rollbackChampion({ registry, artifactsDir, model: 'tiny' })).toEqual({
      from: 'p2',
      to: 'p1',
    });
    expect(await reconcileRegistry(registry, artifactsDir, 'tiny')).toEqual([]);
  });

  it('lets the pointer win when a process died between switching it and recording it', async () => {
    await publishedCandidate('v1');
    await promoteVersion({ registry, artifactsDir, model: 'tiny', version: 'v1', reason: 'first' });
    await publishFixtureVersion(artifactsDir, 'tiny', 'v2');
    registry.add(candidate('tiny', 'v2'));
    // The job published v2 and switched the pointer, then died before recording either.
    await setCurrent(artifactsDir, 'tiny', 'v2');
    expect(await reconcileRegistry(registry, artifactsDir, 'tiny')).toEqual([
      'tiny@v2 is published: recorded',
      expect.stringMatching(/^tiny@v1 retired: the current pointer names v2/),
      expect.stringMatching(/^tiny@v2 is champion: the current pointer names v2/),
    ]);
    expect(statuses()).toEqual({ v1: 'retired', v2: 'champion' });
  });
});
