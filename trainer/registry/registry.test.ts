import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidate } from '../../test/fixtures/registry-versions.ts';
import { canonicalJson, sha256OfJson } from './canonical-json.ts';
import { openVersionRegistry, type VersionRegistry } from './registry.ts';

let dir: string;
let registry: VersionRegistry;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'registry-'));
  registry = await openVersionRegistry(join(dir, 'nested', 'registry.db'));
});

afterEach(() => {
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the version registry', () => {
  it('creates its database with only the registry schema, and reopens it unchanged', async () => {
    registry.add(candidate('tiny', 'v1'));
    registry.close();
    registry = await openVersionRegistry(join(dir, 'nested', 'registry.db'));
    expect(registry.list('tiny').map((v) => v.version)).toEqual(['v1']);
    const db = new Database(registry.path, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    db.close();
    expect(tables).toEqual(['eval_sets', 'model_version_events', 'model_versions', 'schema_migrations']);
  });

  it('records a version with its lineage and returns it decoded', () => {
    const added = registry.add(
      candidate('tiny', 'v2', { parentVersion: 'v1', config: { seed: 3, nested: { a: [1, 2] } } }),
    );
    expect(added).toMatchObject({
      model: 'tiny',
      version: 'v2',
      status: 'candidate',
      parentVersion: 'v1',
      config: { seed: 3, nested: { a: [1, 2] } },
      metrics: null,
      publishedAt: null,
    });
    expect(Date.parse(added.createdAt)).toBeGreaterThan(0);
    expect(() => registry.add(candidate('tiny', 'v2'))).toThrow(/UNIQUE/);
  });

  it('finds versions by data fingerprint and config hash', () => {
    registry.add(candidate('tiny', 'v1'));
    registry.add(candidate('tiny', 'v2', { dataFingerprint: 'b'.repeat(64) }));
    registry.add(candidate('other', 'v1'));
    expect(registry.withLineage('tiny', 'a'.repeat(64), 'c'.repeat(64)).map((v) => v.version)).toEqual([
      'v1',
    ]);
    expect(registry.withLineage('tiny', 'a'.repeat(64), 'e'.repeat(64))).toEqual([]);
    expect(registry.models()).toEqual(['other', 'tiny']);
  });

  it('keeps at most one champion per model, even against a careless caller', () => {
    registry.add(candidate('tiny', 'v1'));
    registry.add(candidate('tiny', 'v2'));
    registry.setStatus('tiny', 'v1', 'champion', 'first');
    expect(() => registry.setStatus('tiny', 'v2', 'champion', 'second')).toThrow(/UNIQUE/);
    expect(registry.champion('tiny')?.version).toBe('v1');
  });

  it('logs every status with its reason, and stamps promotions', () => {
    registry.add(candidate('tiny', 'v1'));
    registry.setStatus('tiny', 'v1', 'champion', 'passed the gate');
    registry.setStatus('tiny', 'v1', 'retired', 'replaced by v2');
    expect(registry.events('tiny', 'v1').map((e) => [e.status, e.reason])).toEqual([
      ['candidate', 'training'],
      ['champion', 'passed the gate'],
      ['retired', 'replaced by v2'],
    ]);
    const record = registry.get('tiny', 'v1')!;
    expect(record.promotedAt).not.toBeNull();
    expect(registry.previousChampion('tiny')?.version).toBe('v1');
    expect(() => registry.setStatus('tiny', 'v9', 'retired', 'x')).toThrow(
      'the registry has no version tiny@v9',
    );
  });

  it('stores metrics and publication times', () => {
    registry.add(candidate('tiny', 'v1'));
    registry.recordMetrics('tiny', 'v1', 'f'.repeat(64), { precision_at_1: 0.5 });
    registry.markPublished('tiny', 'v1');
    expect(registry.get('tiny', 'v1')).toMatchObject({
      evalSet: 'f'.repeat(64),
      metrics: { precision_at_1: 0.5 },
      publishedAt: expect.any(String),
    });
  });

  it('freezes one evaluation set per model, hashed from its content', () => {
    expect(registry.evalSet('tiny')).toBeUndefined();
    const set = registry.freezeEvalSet({
      model: 'tiny',
      kind: 'wordnet-gloss-lemma',
      items: ['n1', 'n2'],
      source: 'test split',
    });
    expect(set.sha256).toBe(sha256OfJson({ items: ['n1', 'n2'], kind: 'wordnet-gloss-lemma' }));
    expect(registry.evalSet('tiny')).toEqual(set);
    expect(() =>
      registry.freezeEvalSet({ model: 'tiny', kind: 'wordnet-gloss-lemma', items: ['n3'], source: 'again' }),
    ).toThrow(/UNIQUE/);
  });

  it('rolls back an exclusive section that fails, and joins nested ones', async () => {
    await expect(
      registry.exclusive(async () => {
        registry.add(candidate('tiny', 'v1'));
        await registry.exclusive(async () => registry.add(candidate('tiny', 'v2')));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(registry.list('tiny')).toEqual([]);
  });

  it('makes other writers wait for an exclusive section', async () => {
    const other = await openVersionRegistry(registry.path);
    try {
      let release!: () => void;
      const held = registry.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
      // A second connection cannot write while the first holds the write lock (busy_timeout aside).
      const db = new Database(registry.path);
      db.pragma('busy_timeout = 0');
      expect(() => db.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
      db.close();
      release();
      await held;
      other.add(candidate('tiny', 'v1'));
      expect(registry.get('tiny', 'v1')).toBeDefined();
    } finally {
      other.close();
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(sha256OfJson({ x: 1, y: 2 })).toBe(sha256OfJson({ y: 2, x: 1 }));
  });
});
