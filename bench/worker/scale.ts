import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { readVectors } from '../../edge/adapters/node/vec0-vectors.ts';
import { HealthResponseSchema, SearchResponseSchema } from '../../edge/schemas.ts';
import { dotAt } from '../../shared/ann/hnsw-graph.ts';
import { unitRows } from '../../shared/ann/unit-rows.ts';
import { readCurrent, versionDir } from '../../shared/artifacts/index.ts';
import { readVersionManifest } from '../../shared/artifacts/verify.ts';
import { WORKER_INDEX_FILE } from '../../shared/artifacts/worker-index.ts';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import { vecTableName } from '../../shared/db/index-schema.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { mulberry32 } from '../../shared/random.ts';
import { writeWorkerIndex } from '../../trainer/index/worker-index.ts';
import { publishVersion } from '../../trainer/publish/publish.ts';
import { uploadToR2 } from '../../trainer/publish/r2.ts';
import { nodeOrt } from '../../trainer/util/ort.ts';
import type { Row } from '../results.ts';
import { target, timingRow, valueRow } from '../rows.ts';
import type { SectionContext } from '../section.ts';
import { quantile } from '../stats.ts';
import { glossesAndLemmas } from '../wordnet-texts.ts';
import { collectOutput, freePort, startWranglerDev, stop, waitForReady } from './bench-worker.ts';
import { defaultCatalogue, STAND_IN } from './default-catalogue.ts';
import { type HeapUsage, heapUsage } from './inspector.ts';

/**
 * The Workers index at scale (issue 18), under `wrangler dev` (workerd) on this machine:
 *   1. the default catalogue (117,791 WordNet synsets x 128 dims) served from one isolate: its
 *      WebAssembly memories as /healthz reports them, the workerd process's resident memory before and
 *      after the load, and warm /v1/search latency and recall@10 against exact search;
 *   2. a synthetic collection of 1,000,000 items (the catalogue's vectors, each repeated with noise)
 *      split into SHARDS shards, each served by its own Durable Object: warm latency, recall@10 against
 *      exact search over the same vectors, and the ratio of its latency to the one-isolate figure.
 */

export const MILLION = 1_000_000;
export const SHARDS = 8;
const QUERIES = 100;
const WARMUP = 10;
const K = 10;
const SEED = 71;
/** The budget issue 18 sets for one isolate's WebAssembly and JavaScript memory. */
const BUDGET_MIB = 100;
/** Noise per component of a synthetic copy: about cos 0.96 to its source vector. */
const NOISE = 0.3;
const MIB = 1024 * 1024;

interface Served {
  url: string;
  pids: number[];
  inspectorPort: number;
  log(): string;
  stop(): Promise<void>;
}

export async function runWorkerScale(context: SectionContext): Promise<{ rows: Row[]; notes: string[] }> {
  const cacheDir = scaleCacheDir(context.options.runsDir);
  await mkdir(cacheDir, { recursive: true });
  const dir = await mkdtemp(join(cacheDir, 'run-'));
  try {
    context.log('the default catalogue (or its stand-in; built once, ~5 min)');
    const catalogue = await defaultCatalogue(context.options.artifactsDir, cacheDir);
    const current = await readCurrent(catalogue.artifactsDir, STAND_IN.name);
    if (!current) throw new Error(`${STAND_IN.name} has no current version in ${catalogue.artifactsDir}`);
    const versionPath = versionDir(catalogue.artifactsDir, STAND_IN.name, current.version);
    const base = await readCatalogueVectors(versionPath);
    const texts = glossesAndLemmas(QUERIES + WARMUP, SEED);
    const embedder = await queryEmbedder(versionPath);
    try {
      const queries = await embedder.embed(texts);
      context.log('one isolate: uploading the default catalogue into a local bucket');
      const single = await measure(
        join(dir, 'single'),
        catalogue.artifactsDir,
        texts,
        queries,
        base.vectors,
        base.ids,
        context,
      );
      context.log(
        `${SHARDS} Durable Objects: the ${MILLION.toLocaleString('en-US')}-item collection (built once)`,
      );
      const millionDir = await syntheticMillion(cacheDir, versionPath, base);
      const sharded = await measure(
        join(dir, 'sharded'),
        millionDir,
        texts,
        queries,
        undefined,
        undefined,
        context,
        base,
      );
      const nodeRecall = await nodeGraphRecall(versionPath, queries.slice(WARMUP), base);
      return { rows: rowsOf(single, sharded, nodeRecall), notes: notesOf(catalogue.description) };
    } finally {
      await embedder.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Measured {
  latencyMs: number[];
  recall: number;
  healthMemory: NonNullable<ReturnType<typeof HealthResponseSchema.parse>['memory']>;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** V8's figures for the Worker's isolate after the warm searches. */
  heap: HeapUsage;
}

/** Uploads an artifacts folder to a fresh local bucket, serves it, and measures memory, latency and recall. */
async function measure(
  dir: string,
  artifactsDir: string,
  texts: readonly string[],
  queries: readonly Float32Array[],
  vectors: Float32Array | undefined,
  ids: readonly string[] | undefined,
  context: SectionContext,
  synthetic?: CatalogueVectors,
): Promise<Measured> {
  // Exact answers first: computing them between requests (seconds over 1M vectors) would leave the
  // keep-alive connection idle long enough for workerd to close it under the next request.
  const exact = queries.map((query, i) =>
    i < WARMUP
      ? new Set<string>()
      : synthetic
        ? exactSynthetic(synthetic, query)
        : exactTopK(vectors!, ids!, query),
  );
  const persistTo = join(dir, 'wrangler');
  await uploadToR2({ artifactsDir, bucket: 'dml-edge-models', local: true, persistTo });
  const served = await serve(persistTo);
  try {
    const rssBeforeMiB = residentMiB(served.pids);
    const health = await fetch(`${served.url}/healthz`);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}:\n${served.log()}`);
    const latencyMs: number[] = [];
    let found = 0;
    for (const [i, query] of texts.entries()) {
      const started = performance.now();
      const response = await fetch(`${served.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, k: K }),
      });
      const body = await response.json();
      if (response.status !== 200)
        throw new Error(`/v1/search answered ${response.status}: ${JSON.stringify(body)}`);
      if (i < WARMUP) continue;
      latencyMs.push(performance.now() - started);
      found += SearchResponseSchema.parse(body).results.filter((hit) => exact[i].has(hit.id)).length;
    }
    const { memory } = HealthResponseSchema.parse(await (await fetch(`${served.url}/healthz`)).json());
    if (!memory) throw new Error('/healthz has no memory figure');
    context.log(`served ${artifactsDir}: p50 ${quantile(latencyMs, 0.5).toFixed(1)} ms`);
    return {
      latencyMs,
      recall: found / (K * (texts.length - WARMUP)),
      healthMemory: memory,
      rssBeforeMiB,
      rssAfterMiB: residentMiB(served.pids),
      heap: await heapUsage(served.inspectorPort),
    };
  } finally {
    await served.stop();
  }
}

async function serve(persistTo: string): Promise<Served> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const dev: ChildProcess = startWranglerDev(port, persistTo, inspectorPort);
  const output = collectOutput(dev);
  try {
    await waitForReady(dev, output, 180_000);
    // wrangler may rebuild once right after its first "Ready" (its build step touches the watched
    // folder): give it time, then check it answers without loading anything (a refused admin write).
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const probe = await fetch(`http://127.0.0.1:${port}/v1/admin/reload`, { method: 'POST' });
    await probe.arrayBuffer();
  } catch (error) {
    await stop(dev);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pids: workerdPids(dev.pid as number),
    inspectorPort,
    log: () => output.text,
    stop: () => stop(dev),
  };
}

/** The workerd processes wrangler started (descendants of its launcher: a proxy and the worker's). */
function workerdPids(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm.startsWith('workerd')) found.push(pid);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    }
  }
  if (found.length === 0) throw new Error(`no workerd process under ${root}`);
  return found;
}

/** Resident memory of all of them together. */
function residentMiB(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

interface CatalogueVectors {
  ids: string[];
  /** Unit rows, in item order. */
  vectors: Float32Array;
}

/** The catalogue's float32 vectors and ids, from its index.db (the exact search's ground truth). */
async function readCatalogueVectors(versionPath: string): Promise<CatalogueVectors> {
  const db = openVecDatabase(join(versionPath, 'index.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, external_id FROM items ORDER BY id').all() as {
      id: number;
      external_id: string;
    }[];
    const { id: collection, dims } = db.prepare('SELECT id, dims FROM collections').get() as {
      id: number;
      dims: number;
    };
    const vectors = readVectors(
      db,
      vecTableName(collection),
      dims,
      Int32Array.from(rows, (row) => row.id),
    );
    return { ids: rows.map((row) => row.external_id), vectors: unitRows(vectors, dims) };
  } finally {
    db.close();
  }
}

/** Recall@K of the Node server's own index adapter (graph mode, its default ef) on the same index. */
async function nodeGraphRecall(
  versionPath: string,
  queries: readonly Float32Array[],
  base: CatalogueVectors,
): Promise<number> {
  const index = openSqliteVecIndex([join(versionPath, 'index.db')], { mode: 'graph' });
  try {
    const [collection] = index.collections();
    let found = 0;
    for (const query of queries) {
      const exact = exactTopK(base.vectors, base.ids, query);
      found += (await index.search(collection, query, K)).filter((hit) => exact.has(hit.id)).length;
    }
    return found / (K * queries.length);
  } finally {
    index.close();
  }
}

/** The served model, run by onnxruntime-web in Node: the Worker's query embeddings to 1e-5. */
async function queryEmbedder(versionPath: string): Promise<TextEmbedder> {
  const manifest = await readVersionManifest(versionPath);
  if (manifest.input.kind !== 'text') throw new Error('the default model is a text model');
  return createOnnxTextEmbedder({
    ort: nodeOrt(),
    model: readFileSync(join(versionPath, manifest.files.model_int8.path)),
    featurizer: createTextFeaturizer(manifest.input.featurizer),
    io: manifest.input.onnx,
    dim: manifest.embedding.dim,
  });
}

function exactTopK(vectors: Float32Array, ids: readonly string[], query: Float32Array): Set<string> {
  const dim = query.length;
  const unit = unitRows(query, dim);
  const scored = ids.map((id, row) => ({ id, score: dotAt(unit, 0, vectors, row * dim, dim) }));
  scored.sort((a, b) => b.score - a.score);
  return new Set(scored.slice(0, K).map((hit) => hit.id));
}

/** Item i of the synthetic collection: source row i mod n of the catalogue plus seeded noise, unit length. */
function syntheticVectors(base: CatalogueVectors): Float32Array {
  const dim = base.vectors.length / base.ids.length;
  const out = new Float32Array(MILLION * dim);
  const random = mulberry32(SEED);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sigma = NOISE / Math.sqrt(dim);
  for (let i = 0; i < MILLION; i++) {
    const from = (i % base.ids.length) * dim;
    for (let j = 0; j < dim; j++) out[i * dim + j] = base.vectors[from + j] + sigma * gaussian();
  }
  return unitRows(out, dim);
}

const syntheticCache = new WeakMap<CatalogueVectors, Float32Array>();

function exactSynthetic(base: CatalogueVectors, query: Float32Array): Set<string> {
  let vectors = syntheticCache.get(base);
  if (!vectors) {
    vectors = syntheticVectors(base);
    syntheticCache.set(base, vectors);
  }
  const dim = query.length;
  const unit = unitRows(query, dim);
  const best: { row: number; score: number }[] = [];
  for (let row = 0; row < MILLION; row++) {
    const score = dotAt(unit, 0, vectors, row * dim, dim);
    if (best.length < K || score > best[best.length - 1].score) {
      best.push({ row, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > K) best.pop();
    }
  }
  return new Set(best.map((hit) => `syn-${hit.row}`));
}

const SYNTHETIC = { name: 'synthetic-1m', version: 'v1', collection: 'synthetic' } as const;

/** The published 1M-item model (the default model's files, a sharded synthetic collection), built once. */
async function syntheticMillion(
  cacheDir: string,
  versionPath: string,
  base: CatalogueVectors,
): Promise<string> {
  // Keyed by the served model's int8 file: a collection built from another model's vectors would be
  // graded against this one's exact neighbours.
  const source = (await readVersionManifest(versionPath)).files.model_int8.sha256.slice(0, 16);
  const artifactsDir = join(cacheDir, `million-artifacts-${source}`);
  if (await readCurrent(artifactsDir, SYNTHETIC.name).catch(() => undefined)) return artifactsDir;
  const staging = join(cacheDir, 'million-staging');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const vectors = syntheticVectors(base);
    syntheticCache.set(base, vectors);
    const manifest = await readVersionManifest(versionPath);
    await writeWorkerIndex({
      dir: staging,
      collection: {
        name: SYNTHETIC.collection,
        description: 'WordNet vectors, each repeated with noise',
        filterable: [],
      },
      model: { name: SYNTHETIC.name, version: SYNTHETIC.version, dim: manifest.embedding.dim },
      vectors,
      items: Array.from({ length: MILLION }, (_, i) => ({
        id: `syn-${i}`,
        text: `copy ${Math.floor(i / base.ids.length)} of ${base.ids[i % base.ids.length]}`,
      })),
      sharding: { shards: SHARDS },
      // Exact shards: eight 125k-node graphs take over an hour to build on the 2-core bench machine.
      graph: false,
      onShard: (shard, shards) => console.log(`synthetic: shard ${shard + 1}/${shards} written`),
      onGraphProgress: (shard, linked, total) => {
        if (linked % 32_768 === 0) console.log(`synthetic: shard ${shard + 1} graph ${linked}/${total}`);
      },
    });
    for (const file of ['model.onnx', 'model.int8.onnx'])
      await copyFile(join(versionPath, file), join(staging, file));
    await publishVersion({
      artifactsDir,
      files: {
        model: join(staging, 'model.onnx'),
        model_int8: join(staging, 'model.int8.onnx'),
        worker_index: join(staging, WORKER_INDEX_FILE),
      },
      manifest: {
        ...withoutFiles(manifest),
        name: SYNTHETIC.name,
        version: SYNTHETIC.version,
        created_at: new Date().toISOString(),
        collections: [{ name: SYNTHETIC.collection, items: MILLION }],
      },
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return artifactsDir;
}

function withoutFiles<T extends { files: unknown }>({ files: _, ...rest }: T): Omit<T, 'files'> {
  return rest;
}

function rowsOf(single: Measured, sharded: Measured, nodeRecall: number): Row[] {
  const one = 'default catalogue, one isolate';
  const many = `${MILLION.toLocaleString('en-US')} synthetic items, ${SHARDS} Durable Objects`;
  const growth = single.rssAfterMiB - single.rssBeforeMiB;
  const wasm = single.healthMemory.wasm_bytes;
  const isolateMiB =
    (single.healthMemory.total_wasm_bytes + single.heap.usedSize + (single.heap.backingStorageSize ?? 0)) /
    MIB;
  const p50 = (samples: readonly number[]) => quantile(samples, 0.5);
  return [
    valueRow(one, 'WebAssembly memory: onnxruntime (/healthz)', wasm.onnxruntime / MIB, 'MiB'),
    valueRow(one, 'WebAssembly memory: index shard (/healthz)', wasm.shards / MIB, 'MiB'),
    valueRow(one, 'WebAssembly memory: SQLite (/healthz)', wasm.sqlite / MIB, 'MiB'),
    valueRow(one, 'WebAssembly memory: all (/healthz)', single.healthMemory.total_wasm_bytes / MIB, 'MiB', {
      target: target(`<= ${BUDGET_MIB} MiB`, single.healthMemory.total_wasm_bytes / MIB <= BUDGET_MIB),
    }),
    valueRow(
      one,
      'JavaScript heap, live after a full collection (V8 inspector)',
      single.heap.usedSize / MIB,
      'MiB',
      {
        note: `${((single.heap.beforeCollection ?? 0) / MIB).toFixed(1)} MiB in use before it, garbage included`,
      },
    ),
    valueRow(
      one,
      'ArrayBuffers outside the heap (V8 inspector)',
      (single.heap.backingStorageSize ?? 0) / MIB,
      'MiB',
    ),
    valueRow(one, 'WebAssembly + JavaScript, in all', isolateMiB, 'MiB', {
      target: target(`<= ${BUDGET_MIB} MiB`, isolateMiB <= BUDGET_MIB),
      note: 'all WebAssembly memories + live JS heap + ArrayBuffers outside it',
    }),
    valueRow(one, 'workerd resident memory growth: load + warm searches', growth, 'MiB', {
      note:
        `${single.rssBeforeMiB.toFixed(0)} MiB before the first request, ${single.rssAfterMiB.toFixed(0)} after; ` +
        "includes garbage not yet collected and the runtime's own buffers",
    }),
    timingRow(one, `warm /v1/search (k ${K}), one request at a time`, single.latencyMs),
    valueRow(one, `recall@${K} against exact search`, single.recall, 'fraction', {
      target: target(
        "= the Node server's on the same index (it walks the same graph)",
        Math.abs(single.recall - nodeRecall) < 0.005,
      ),
    }),
    valueRow(
      one,
      `the Node server's graph search: recall@${K} against exact, same index and queries`,
      nodeRecall,
      'fraction',
    ),
    timingRow(many, `warm /v1/search (k ${K}), one request at a time`, sharded.latencyMs),
    valueRow(many, `recall@${K} against exact search on the same vectors`, sharded.recall, 'fraction', {
      target: target('>= 0.95', sharded.recall >= 0.95),
    }),
    valueRow(many, 'p50 latency / one-isolate p50', p50(sharded.latencyMs) / p50(single.latencyMs), 'x'),
    valueRow(
      many,
      'p99 latency / one-isolate p99',
      quantile(sharded.latencyMs, 0.99) / quantile(single.latencyMs, 0.99),
      'x',
    ),
    valueRow(
      many,
      'workerd resident memory growth, Worker + every shard object (all in one process locally)',
      sharded.rssAfterMiB - sharded.rssBeforeMiB,
      'MiB',
    ),
  ];
}

function notesOf(catalogue: string): string[] {
  return [
    `Default catalogue: ${catalogue}. Served by \`wrangler dev\` (workerd) from a local R2 bucket filled as ` +
      '`dml-edge upload --target r2 --local` fills one; the Worker loads the Workers index (worker-index.json, ' +
      'one shard) into its isolate and never opens index.db.',
    'Memory: /healthz reports the size of every WebAssembly memory the isolate owns (ORT, SQLite, the index ' +
      "shards); the JavaScript heap comes from V8 itself through wrangler dev's inspector after the warm " +
      'searches: Runtime.getHeapUsage after a heap snapshot (which collects garbage first; workerd does not ' +
      'answer HeapProfiler.collectGarbage), the figure before it noted. The resident memory growth of the ' +
      "workerd process is shown too: it also holds garbage not yet returned and the runtime's own buffers.",
    `Synthetic collection: the ${'117,791'} catalogue vectors, each repeated with Gaussian noise (${NOISE} in norm, ` +
      `cos about 0.96 to its source) up to ${MILLION.toLocaleString('en-US')} items, split by the trainer's ` +
      `writeWorkerIndex into ${SHARDS} shards searched exactly (no graph: eight 125k-node graphs take over an ` +
      'hour to build on this 2-core machine; shard-search.test.ts checks per-shard graph recall), each served ' +
      'by its own Durable Object (IndexShard); the Worker fans every search out to all shards and merges the top k. ' +
      'Locally every Durable Object runs in the same workerd process; on Cloudflare each shard has its own isolate.',
    `Latency: ${QUERIES} searches after ${WARMUP} warm-ups, one at a time, seeded WordNet glosses and lemmas as ` +
      `queries. Recall@${K}: the share of the exact top ${K} (brute force over the same float32 vectors, queries ` +
      'embedded by the same model in Node) among the answers.',
  ];
}

/** Where the stand-in catalogue and the synthetic collection are built once and kept (git-ignored). */
export function scaleCacheDir(runsDir: string): string {
  return join(runsDir, '..', '.scratch', 'bench-worker');
}

// `npx tsx bench/worker/scale.ts [artifacts] [runs]`: builds the cached inputs without measuring.
if (process.argv[1] === import.meta.filename) {
  const [artifactsDir = 'artifacts', runsDir = 'runs'] = process.argv.slice(2);
  const cacheDir = scaleCacheDir(runsDir);
  const catalogue = await defaultCatalogue(artifactsDir, cacheDir);
  const current = await readCurrent(catalogue.artifactsDir, STAND_IN.name);
  if (!current) throw new Error('no default catalogue');
  const versionPath = versionDir(catalogue.artifactsDir, STAND_IN.name, current.version);
  console.log(await syntheticMillion(cacheDir, versionPath, await readCatalogueVectors(versionPath)));
}
