import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import type { TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { createTestEmbedder, testCatalogue } from '../../test/fixtures/index-catalogue.ts';
import { buildIndex } from './build-index.ts';

const DIM = 32;
const MODEL = { name: 'tiny', version: 'v1', dim: DIM };
let dir: string;
let embedder: TextEmbedder;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'build-index-'));
  embedder = await createTestEmbedder(DIM, 7);
});

afterAll(async () => {
  await embedder.release();
  rmSync(dir, { recursive: true, force: true });
});

const embed = (texts: string[]) => embedder.embed(texts);

describe('buildIndex', () => {
  it('stores every item with its text, metadata and the embedder’s vector', async () => {
    const items = testCatalogue(300, 1);
    const path = join(dir, 'ok', 'index.db');
    const progress: [number, number | undefined][] = [];
    const stats = await buildIndex({
      path,
      collection: { name: 'glosses', description: 'lemma with gloss' },
      model: MODEL,
      items,
      embed,
      batchSize: 64,
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(stats).toMatchObject({ path, items: 300, bytes: statSync(path).size });
    expect(stats.seconds).toBeGreaterThan(0);
    expect(progress.map(([done]) => done)).toEqual([64, 128, 192, 256, 300]);
    expect(progress.every(([, total]) => total === 300)).toBe(true);
    expect(readdirSync(join(dir, 'ok'))).toEqual(['index.db']);

    const db = openVecDatabase(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'index' },
        { version: 2, name: 'user_histories' },
        { version: 3, name: 'ann_graphs' },
      ]);
      expect(db.prepare('SELECT * FROM collections').get()).toMatchObject({
        id: 1,
        name: 'glosses',
        description: 'lemma with gloss',
        model_name: 'tiny',
        model_version: 'v1',
        dims: DIM,
        distance: 'cosine',
        items: 300,
      });
      expect(db.prepare('SELECT name, version, dims, status FROM models').all()).toEqual([
        { name: 'tiny', version: 'v1', dims: DIM, status: 'candidate' },
      ]);

      const rows = db
        .prepare(
          `SELECT items.external_id AS id, items.text, items.metadata, vec_1.embedding
           FROM items JOIN vec_1 ON vec_1.rowid = items.id ORDER BY items.id`,
        )
        .all() as { id: string; text: string; metadata: string; embedding: Buffer }[];
      expect(rows.map((r) => r.id)).toEqual(items.map((item) => item.id));
      expect(rows.map((r) => r.text)).toEqual(items.map((item) => item.text));
      expect(rows.map((r) => JSON.parse(r.metadata))).toEqual(items.map((item) => item.metadata));

      const expected = await embedder.embed(items.slice(0, 5).map((item) => item.text));
      rows.slice(0, 5).forEach((row, i) => {
        const stored = new Float32Array(row.embedding.buffer, row.embedding.byteOffset, DIM);
        expect(Array.from(stored)).toEqual(Array.from(expected[i]));
      });
    } finally {
      db.close();
    }
  });

  it('accepts any iterable, reporting progress without a total', async () => {
    function* generate() {
      yield* testCatalogue(10, 2);
    }
    const totals: (number | undefined)[] = [];
    const stats = await buildIndex({
      path: join(dir, 'generated.db'),
      collection: { name: 'generated' },
      model: MODEL,
      items: generate(),
      embed,
      onProgress: (_, total) => totals.push(total),
    });
    expect(stats.items).toBe(10);
    expect(totals).toEqual([undefined]);
  });

  it.each([
    [
      'a duplicate id',
      { items: [...testCatalogue(3, 3), testCatalogue(1, 3)[0]] },
      /duplicate item id "entry:0"/,
    ],
    ['vectors of the wrong dim', { model: { ...MODEL, dim: 16 } }, /"entry:0" has 32 values, expected 16/],
    [
      'a non-finite vector',
      {
        embed: async (texts: string[]) => {
          const vectors = await embed(texts);
          vectors[2][5] = Number.NaN;
          return vectors;
        },
      },
      /embedding of item "entry:2" has a non-finite value/,
    ],
    [
      'too few vectors',
      { embed: async (texts: string[]) => (await embed(texts)).slice(1) },
      /returned 2 vectors for 3 texts/,
    ],
    ['an item that is not an item', { items: [{ id: '', text: 'x' }] }, /too_small|at least 1/],
  ])('refuses %s and leaves nothing behind', async (_, override, message) => {
    const folder = mkdtempSync(join(dir, 'refused-'));
    const path = join(folder, 'index.db');
    await expect(
      buildIndex({
        path,
        collection: { name: 'c' },
        model: MODEL,
        items: testCatalogue(3, 3),
        embed,
        ...override,
      }),
    ).rejects.toThrow(message);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('keeps the previous file intact when a rebuild fails midway', async () => {
    const folder = mkdtempSync(join(dir, 'rebuild-'));
    const path = join(folder, 'index.db');
    await buildIndex({ path, collection: { name: 'c' }, model: MODEL, items: testCatalogue(20, 4), embed });
    const before = readFileSync(path);

    let calls = 0;
    const failing = async (texts: string[]) => {
      if (++calls === 3) throw new Error('embedder crashed');
      return embed(texts);
    };
    await expect(
      buildIndex({
        path,
        collection: { name: 'c' },
        model: MODEL,
        items: testCatalogue(100, 5),
        embed: failing,
        batchSize: 10,
      }),
    ).rejects.toThrow('embedder crashed');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['index.db']);
  });

  it('survives being killed: no file at the path, and the next build removes the dead build’s temp file', async () => {
    const folder = mkdtempSync(join(dir, 'killed-'));
    const path = join(folder, 'index.db');
    const script = join(folder, 'endless-build.mts');
    // A build over an endless catalogue that reports each batch, so the test can kill it mid-build.
    writeFileSync(
      script,
      `import { buildIndex } from ${JSON.stringify(fileURLToPath(new URL('./build-index.ts', import.meta.url)))};
       import { createTestEmbedder } from ${JSON.stringify(fileURLToPath(new URL('../../test/fixtures/index-catalogue.ts', import.meta.url)))};
       const embedder = await createTestEmbedder(${DIM}, 7);
       function* endless() { for (let i = 0; ; i++) yield { id: 'n' + i, text: 'entry number ' + i }; }
       await buildIndex({
         path: ${JSON.stringify(path)}, collection: { name: 'endless' }, model: ${JSON.stringify(MODEL)},
         items: endless(), embed: (texts) => embedder.embed(texts), batchSize: 32,
         onProgress: (done) => console.log(done),
       });`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`the build exited (${code}) before it could be killed`)));
      child.stdout.on('data', (chunk: Buffer) => {
        if (Number(chunk.toString().trim().split('\n').at(-1)) >= 128) resolve();
      });
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    expect(existsSync(path)).toBe(false);
    const leftovers = readdirSync(folder).filter((name) => name.startsWith('.tmp-index.db-'));
    expect(leftovers).toEqual([
      expect.stringMatching(new RegExp(`^\\.tmp-index\\.db-${child.pid}-[0-9a-f]{8}$`)),
    ]);

    await buildIndex({ path, collection: { name: 'c' }, model: MODEL, items: testCatalogue(5, 6), embed });
    expect(readdirSync(folder).sort()).toEqual(['endless-build.mts', 'index.db']);
  });
});
