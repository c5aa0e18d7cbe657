import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sqlite3 } from 'sqlite-vec-wasm-demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteVecIndex, type SqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { startSqliteVecInNode } from '../../edge/adapters/workers/build/node-sqlite.ts';
import {
  type IndexDatabaseSource,
  openWasmVecIndex,
  type WasmVecIndex,
} from '../../edge/adapters/workers/wasm-vec-index.ts';
import type { MetadataFilter } from '../../edge/ports.ts';
import type { MetadataColumn } from '../../shared/db/index-schema.ts';
import type { TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { buildIndex } from '../../trainer/index/build-index.ts';
import { createTestEmbedder, testCatalogue } from '../fixtures/index-catalogue.ts';

// The Workers index run in Node (the same WebAssembly SQLite, compiled here from bytes) against the
// Node adapter over the same files: the two must answer alike. workerd runs it in test/workers/.

const DIM = 16;
/** testCatalogue's items carry these in their metadata. */
const FILTERABLE: MetadataColumn[] = [
  { name: 'pos', type: 'text' },
  { name: 'rank', type: 'integer' },
];
let dir: string;
let embedder: TextEmbedder;
let sqlite3: Sqlite3;
let paths: { glosses: string; others: string };
let wasmIndex: WasmVecIndex;
let nodeIndex: SqliteVecIndex;

function fileSource(path: string): IndexDatabaseSource {
  const bytes = readFileSync(path);
  return { name: path, bytes: bytes.length, fill: async (target) => target.set(bytes) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-vec-index-'));
  embedder = await createTestEmbedder(DIM, 5);
  paths = { glosses: join(dir, 'glosses.db'), others: join(dir, 'others.db') };
  for (const [name, count] of [
    ['glosses', 300],
    ['others', 7],
  ] as const) {
    await buildIndex({
      path: paths[name],
      collection: {
        name,
        description: name === 'glosses' ? 'lemma with gloss' : undefined,
        filterable: name === 'glosses' ? FILTERABLE : [],
      },
      model: { name: 'tiny', version: 'v1', dim: DIM },
      items: testCatalogue(count, count),
      embed: (texts) => embedder.embed(texts),
    });
  }
  sqlite3 = await startSqliteVecInNode();
  wasmIndex = await openWasmVecIndex(sqlite3, [fileSource(paths.glosses), fileSource(paths.others)]);
  nodeIndex = openSqliteVecIndex([paths.glosses, paths.others]);
});

afterAll(async () => {
  wasmIndex?.close();
  nodeIndex?.close();
  await embedder?.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('the WebAssembly sqlite-vec index', () => {
  it('runs sqlite-vec 0.1.9', () => {
    expect(sqlite3.version.libVersion).toBe('3.45.3');
    const db = new sqlite3.oo1.DB(':memory:');
    expect(db.selectValue('SELECT vec_version()')).toBe('v0.1.9');
    db.close();
  });

  it('lists the same collections as the Node adapter', () => {
    expect(wasmIndex.collections()).toEqual(nodeIndex.collections());
    expect(wasmIndex.collection({ model: 'tiny', name: 'others' })?.items).toBe(7);
    expect(wasmIndex.collection({ model: 'tiny', name: 'missing' })).toBeUndefined();
  });

  it('returns the same hits, scores and metadata as the Node adapter', async () => {
    const queries = await embedder.embed(['river stone', 'a bright green field', 'fire']);
    for (const query of queries) {
      for (const k of [1, 10, 300]) {
        const [wasm, node] = await Promise.all([
          wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, k),
          nodeIndex.search({ model: 'tiny', name: 'glosses' }, query, k),
        ]);
        expect(wasm.map((hit) => hit.id)).toEqual(node.map((hit) => hit.id));
        expect(wasm.map((hit) => hit.score)).toEqual(node.map((hit) => expect.closeTo(hit.score, 6)));
        expect(wasm.map((hit) => [hit.text, hit.metadata])).toEqual(
          node.map((hit) => [hit.text, hit.metadata]),
        );
      }
    }
    expect(await wasmIndex.search({ model: 'tiny', name: 'others' }, queries[0], 100)).toHaveLength(7);
  });

  it('filters on declared metadata columns exactly as the Node adapter does', async () => {
    expect(wasmIndex.collection({ model: 'tiny', name: 'glosses' })?.filterable).toEqual(FILTERABLE);
    const [query] = await embedder.embed(['a bright green field']);
    const ranks = Array.from({ length: 40 }, (_, i) => i * 7);
    const filters: MetadataFilter[] = [
      { pos: 'noun' },
      { rank: ranks },
      { pos: ['verb'], rank: ranks },
      { rank: 4 },
    ];
    for (const filter of filters) {
      const [wasm, node] = await Promise.all([
        wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 10, filter),
        nodeIndex.search({ model: 'tiny', name: 'glosses' }, query, 10, filter),
      ]);
      expect(wasm.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(wasm.map((hit) => hit.id)).toEqual(node.map((hit) => hit.id));
    }
    await expect(
      wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 3, { colour: 'red' }),
    ).rejects.toThrow('collection "glosses" cannot filter on "colour"');
    await expect(
      wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 3, { rank: 'four' }),
    ).rejects.toThrow('"rank" takes integer values, got "four"');
    await expect(wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 3, { pos: [] })).rejects.toThrow(
      'lists no value',
    );
  });

  it('refuses queries the collection cannot answer', async () => {
    const [query] = await embedder.embed(['x']);
    await expect(wasmIndex.search({ model: 'tiny', name: 'missing' }, query, 1)).rejects.toThrow(
      'unknown collection "missing" of model tiny',
    );
    await expect(wasmIndex.search({ model: 'tiny', name: 'glosses' }, query.subarray(1), 1)).rejects.toThrow(
      'has 15 values',
    );
    await expect(
      wasmIndex.search({ model: 'tiny', name: 'glosses' }, new Float32Array(DIM), 1),
    ).rejects.toThrow('zero vector');
    await expect(wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 0)).rejects.toThrow(
      'k must be an integer in 1..4096',
    );
    // A failed search leaves the prepared statement usable.
    expect(await wasmIndex.search({ model: 'tiny', name: 'glosses' }, query, 2)).toHaveLength(2);
  });

  it('names the file that is not an index database, and one whose bytes never arrive', async () => {
    const notAnIndex = {
      name: 'tiny/v1/index.db',
      bytes: 4096,
      fill: async (t: Uint8Array) => {
        t.fill(7);
      },
    };
    await expect(openWasmVecIndex(sqlite3, [notAnIndex])).rejects.toThrow(
      /tiny\/v1\/index\.db is not a readable index database/,
    );
    const failing = { name: 'x', bytes: 10, fill: () => Promise.reject(new Error('sha256 mismatch')) };
    await expect(openWasmVecIndex(sqlite3, [failing])).rejects.toThrow('sha256 mismatch');
  });

  it('refuses two files with the same collection name of one model', async () => {
    await expect(
      openWasmVecIndex(sqlite3, [fileSource(paths.others), fileSource(paths.others)]),
    ).rejects.toThrow(/collection "others" of model tiny is in both/);
  });

  it('serves two models that each hold a collection of the same name, as the Node adapter does', async () => {
    const twinPath = join(dir, 'twin.db');
    const twinItems = testCatalogue(5, 9);
    await buildIndex({
      path: twinPath,
      collection: { name: 'others' },
      model: { name: 'twin', version: 'v2', dim: DIM },
      items: twinItems,
      embed: (texts) => embedder.embed(texts),
    });
    const sources = [paths.others, twinPath];
    const wasm = await openWasmVecIndex(sqlite3, sources.map(fileSource));
    const node = openSqliteVecIndex(sources);
    try {
      expect(wasm.collections()).toEqual(node.collections());
      expect(wasm.collections().map((c) => [c.model, c.name, c.items])).toEqual([
        ['tiny', 'others', 7],
        ['twin', 'others', 5],
      ]);
      const [query] = await embedder.embed([twinItems[3].text]);
      for (const model of ['tiny', 'twin']) {
        const ref = { model, name: 'others' };
        const hits = await wasm.search(ref, query, 10);
        expect(hits.map((hit) => hit.id)).toEqual((await node.search(ref, query, 10)).map((hit) => hit.id));
        expect(hits).toHaveLength(model === 'tiny' ? 7 : 5);
      }
      expect((await wasm.search({ model: 'twin', name: 'others' }, query, 1))[0].id).toBe(twinItems[3].id);
    } finally {
      wasm.close();
      node.close();
    }
  });
});
