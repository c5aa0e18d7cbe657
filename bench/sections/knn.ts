import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusteredUnitVectors } from '../../shared/ann/clustered-vectors.ts';
import { loadScanKernel } from '../../shared/ann/scan-kernel/load-node.ts';
import { mulberry32, shuffle } from '../../shared/random.ts';
import { embedFlat, openServedEmbedder } from '../embed/served.ts';
import { buildOnce } from '../knn/build-cache.ts';
import { K, type KnnQueries, runKnnCase } from '../knn/case.ts';
import {
  type KnnDataset,
  RANDOM_PARTITIONS,
  randomDataset,
  randomUnitVectors,
  readCatalogue,
  rowsWithUniqueText,
  takeRows,
} from '../knn/dataset.ts';
import { CURVE_EFS, CURVE_RECALLS, runGraphCurve } from '../knn/graph-curve.ts';
import { buildHnswFile, HNSW_EF_CONSTRUCTION, HNSW_M } from '../knn/hnsw.ts';
import { buildVectorIndexFile } from '../knn/vector-index.ts';
import { findDefaultTextModel, type PublishedTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import type { RepeatOptions } from '../stats.ts';
import { sampleSynsets } from '../wordnet-texts.ts';

const DIM = 128;
const SIZE = 100_000;
const LARGE_SIZE = 1_000_000;
/** The clustered set: rows around CLUSTERS random centres, so near neighbours exist (as in real embeddings). */
const CLUSTERED = { size: 50_000, clusters: 2_000, spread: 0.5 };
const ROUNDS: RepeatOptions = { warmup: 5, repeats: 100 };
/** At 1M a stock sqlite-vec query takes about half a second: fewer queries keep the case in minutes. */
const LARGE_ROUNDS: RepeatOptions = { warmup: 2, repeats: 30 };
const SEED = 11;

export const knnSection: RunnableSection = {
  name: 'knn',
  title: `knn: top-${K} search latency, recall, build time and size`,
  run: runKnn,
};

async function runKnn(context: SectionContext): Promise<SectionOutcome> {
  // The graphs go in the rounds' shared folder, or in one of this run's own.
  const graphDir = context.options.buildCache ?? (await mkdtemp(join(tmpdir(), 'dml-edge-bench-graphs-')));
  try {
    return await measure(context, graphDir);
  } finally {
    if (graphDir !== context.options.buildCache) await rm(graphDir, { recursive: true, force: true });
  }
}

async function measure(context: SectionContext, graphDir: string): Promise<SectionOutcome> {
  const { log, options } = context;
  const kernel = loadScanKernel();
  const rows: Row[] = [];
  const notes = [
    'Queries run in rounds: every contender answers query r in round r, so per-query ratios are paired. ' +
      `${ROUNDS.repeats} measured queries (+${ROUNDS.warmup} warm-up) per case` +
      `${options.large ? `, ${LARGE_ROUNDS.repeats} (+${LARGE_ROUNDS.warmup}) at 1M` : ''}.`,
    `recall@${K} is graded against exact search in float64 (trainer/eval/knn.ts), counting ties as hits ` +
      '(ann-benchmarks style: a result within the 10th exact distance counts).',
    `Random data: uniform unit vectors (seeded); its partition key is row mod ${RANDOM_PARTITIONS}. WordNet data: ` +
      'a seeded 100,000-row sample of the catalogue vectors read out of the published index.db; queries are ' +
      'glosses embedded by the served model; the partition key is the WordNet lexicographer file. Clustered ' +
      `data: ${CLUSTERED.size.toLocaleString('en-US')} unit vectors around ${CLUSTERED.clusters.toLocaleString('en-US')} ` +
      `random centres (spread ${CLUSTERED.spread}, shared/ann/clustered-vectors.ts), queries drawn from the same clusters.`,
    'Exact search: the VectorIndex is the edge adapter told to scan (mode exact, no filter): the WebAssembly ' +
      'SIMD kernel (shared/ann/scan-kernel/) scans int8 codes of the vectors it holds in memory and re-scores ' +
      'in float32 only the rows whose int8 score, within its error bound, could reach the top 10, so the ' +
      'answer is exact; the same kernel serves the Worker. The sequential read sums the same float32 vectors ' +
      'in the same memory with the same SIMD loads and scores nothing: the memory-bandwidth floor of a float32 ' +
      'scan. "mmap" depends on the page cache: it is measured warm (the warm-up queries read the whole file). ' +
      "The filtered VectorIndex row filters on each row's partition, a filterable field of its index file " +
      "(the filter becomes a bitmap of the matching rows that the scan applies), beside sqlite-vec's partition key.",
    `Graph search: our graph (built by trainer/index/build-index.ts with its defaults) and hnswlib-node ` +
      `(M ${HNSW_M}, efConstruction ${HNSW_EF_CONSTRUCTION}, its defaults) are searched over the same vectors and ` +
      `queries at ef ${CURVE_EFS.join(', ')}; at recall@${K} ${CURVE_RECALLS.join(' and ')} each one's latency is ` +
      'read off its curve, interpolated linearly between the ef below that recall and the ef that reaches ' +
      'it (at the smallest ef when even that reaches it), and the two are compared. Both searches return row numbers ' +
      '(no item join); the VectorIndex graph row in the latency tables is the adapter with its join, timed in ' +
      'the same rounds as the full scans, which empty the CPU caches between its queries.',
    'Uniform random vectors have no neighbourhood structure for a graph to follow, so the random case has ' +
      'no graph contenders; the 10,000-row cases of earlier runs are no longer measured.',
  ];
  if (!options.large)
    notes.push(
      `The ${LARGE_SIZE.toLocaleString('en-US')}-vector case is opt-in: \`npm run bench -- knn --large\`.`,
    );

  for (const size of options.large ? [SIZE, LARGE_SIZE] : [SIZE]) {
    const rounds = size === LARGE_SIZE ? LARGE_ROUNDS : ROUNDS;
    const total = rounds.warmup + rounds.repeats;
    const queries: KnnQueries = {
      vectors: randomUnitVectors(total, DIM, SEED + 1),
      partitions: Array.from({ length: total }, (_, r) => `p${r % RANDOM_PARTITIONS}`),
      rounds,
    };
    const dataset = randomDataset(size, DIM, SEED);
    const vectorIndex = (dir: string) =>
      buildOnce(undefined, dir, 'index.db', (path) => buildVectorIndexFile(path, dataset, false));
    rows.push(...(await runKnnCase(dataset, queries, { vectorIndex, kernel }, log)));
  }

  const clustered = clusteredCase();
  const clusteredFiles = await graphFiles('clustered', clustered.dataset, graphDir, context);
  rows.push(
    ...(await graphCase('clustered', clustered.dataset, clustered.queries, kernel, context, clusteredFiles)),
  );

  const found = await findDefaultTextModel(options);
  if ('missing' in found || !found.model.indexPath) {
    const why = 'missing' in found ? found.missing : `${found.model.dir} has no index.db`;
    notes.push(`WordNet cases skipped: ${why}.`);
    return { status: 'skipped', notes, rows };
  }
  const catalogue = readCatalogue(found.model.indexPath);
  const queries = await glossQueries(found.model, ROUNDS);
  // The VectorIndex file is built by "embedding" each text, so a text must name one vector.
  const order = shuffle(rowsWithUniqueText(catalogue), mulberry32(SEED));
  const wordnet = takeRows(catalogue, order.slice(0, Math.min(SIZE, order.length)));
  const files = await graphFiles('wordnet', wordnet, graphDir, context);
  const vectorIndex = async () => files.ours;
  rows.push(...(await runKnnCase(wordnet, queries, { vectorIndex, kernel }, log)));
  rows.push(...(await graphCase('wordnet', wordnet, queries, kernel, context, files)));
  return { status: 'ran', notes, rows };
}

/** Our index file (with its graph) and hnswlib-node's graph over a data set, built once per invocation. */
async function graphFiles(key: string, dataset: KnnDataset, dir: string, context: SectionContext) {
  const { options, log } = context;
  const name = `${key}-${dataset.count}`;
  log(`${name}: the index file with its graph, and hnswlib-node's graph (built once per invocation)`);
  const ours = await buildOnce(options.buildCache, dir, `${name}-index.db`, (path) =>
    buildVectorIndexFile(path, dataset, true),
  );
  const hnswlib = await buildOnce(options.buildCache, dir, `${name}-hnswlib.bin`, (path) =>
    buildHnswFile(path, dataset.vectors, dataset.dim, 100),
  );
  return { ours, hnswlib };
}

async function graphCase(
  key: string,
  dataset: KnnDataset,
  queries: KnnQueries,
  kernel: WebAssembly.Module,
  context: SectionContext,
  files: Awaited<ReturnType<typeof graphFiles>>,
): Promise<Row[]> {
  const label = `${key} ${dataset.count.toLocaleString('en-US')} x ${dataset.dim}`;
  return runGraphCurve(label, dataset, queries, files, kernel, (m) => context.log(`${label}: ${m}`));
}

function clusteredCase(): { dataset: KnnDataset; queries: KnnQueries } {
  const total = ROUNDS.warmup + ROUNDS.repeats;
  const { size, clusters, spread } = CLUSTERED;
  const all = clusteredUnitVectors(size + total, DIM, { clusters, spread, seed: SEED });
  const vectors = all.slice(0, size * DIM);
  return {
    dataset: {
      kind: 'clustered',
      dim: DIM,
      count: size,
      vectors,
      ids: Array.from({ length: size }, (_, i) => String(i)),
      texts: Array.from({ length: size }, (_, i) => `clustered vector ${i}`),
      metadata: Array.from({ length: size }, () => ({})),
      partitions: Array.from({ length: size }, (_, i) => `c${i % clusters}`),
    },
    queries: {
      vectors: all.slice(size * DIM),
      partitions: Array.from({ length: total }, (_, r) => `c${(size + r) % clusters}`),
      rounds: ROUNDS,
    },
  };
}

/** Glosses of seeded synsets, embedded as the server embeds a search query; partition = the synset's lexname. */
async function glossQueries(published: PublishedTextModel, rounds: RepeatOptions): Promise<KnnQueries> {
  const synsets = sampleSynsets(rounds.warmup + rounds.repeats, SEED);
  const embedder = await openServedEmbedder(published);
  try {
    return {
      vectors: await embedFlat(
        embedder,
        synsets.map((s) => s.gloss),
      ),
      partitions: synsets.map((s) => s.lexname),
      rounds,
    };
  } finally {
    await embedder.release();
  }
}
