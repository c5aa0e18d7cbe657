import { shuffle } from '../../trainer/data/wordnet-pairs.ts';
import { mulberry32 } from '../../trainer/models/text-encoder.ts';
import { embedFlat, openServedEmbedder } from '../embed/served.ts';
import { K, type KnnQueries, runKnnCase } from '../knn/case.ts';
import { HNSW_EFS } from '../knn/contenders.ts';
import {
  RANDOM_PARTITIONS,
  randomDataset,
  randomUnitVectors,
  readCatalogue,
  rowsWithUniqueText,
  takeRows,
} from '../knn/dataset.ts';
import { findDefaultTextModel, type PublishedTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import type { RepeatOptions } from '../stats.ts';
import { sampleSynsets } from '../wordnet-texts.ts';

const DIM = 128;
const SIZES = [10_000, 100_000];
const LARGE_SIZE = 1_000_000;
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
  const rows: Row[] = [];
  const notes = [
    `Queries run in rounds: every contender answers query r in round r, so per-query speedups are paired. ` +
      `${ROUNDS.repeats} measured queries (+${ROUNDS.warmup} warm-up) per case` +
      `${context.options.large ? `, ${LARGE_ROUNDS.repeats} (+${LARGE_ROUNDS.warmup}) at 1M` : ''}.`,
    `recall@${K} is graded against exact search in float64 (trainer/eval/knn.ts), counting ties as hits ` +
      '(ann-benchmarks style: a result within the 10th exact distance counts).',
    `Random data: uniform unit vectors (seeded); its partition key is row mod ${RANDOM_PARTITIONS}. WordNet data: ` +
      'the catalogue vectors read out of the published index.db, queries are glosses embedded by the served ' +
      'model, the partition key is the WordNet lexicographer file (noun.animal, ...).',
    `The ${HNSW_EFS.length} hnswlib-node rows search one graph (built once, hnswlib's default M and ` +
      'efConstruction); the stock and mmap rows read one file.',
    'The int8 table uses one symmetric scale for all rows (127 / the largest |value|); the bit table is ' +
      "sqlite-vec's vec_quantize_binary; both re-score their candidates with vec_distance_cosine on the float32 copy.",
    'The two VectorIndex rows open the same file, built by trainer/index/build-index.ts with its defaults, so it ' +
      'holds the HNSW search graph (shared/ann/) beside the vec0 table: "exact" is the adapter told to scan ' +
      '(mode exact, what it does with a filter), "graph" is its default. Its build time is in the file\'s ' +
      'build time and in its size note. Uniform random vectors have no neighbourhood structure for a graph to ' +
      'follow (the hnswlib rows show the same), so the graph is meant for, and tuned on, real embeddings.',
  ];
  if (!context.options.large)
    notes.push(
      `The ${LARGE_SIZE.toLocaleString('en-US')}-vector case is opt-in: \`npm run bench -- knn --large\`.`,
    );

  const randomSizes = context.options.large ? [...SIZES, LARGE_SIZE] : SIZES;
  for (const size of randomSizes) {
    const rounds = size === LARGE_SIZE ? LARGE_ROUNDS : ROUNDS;
    const total = rounds.warmup + rounds.repeats;
    const queries: KnnQueries = {
      vectors: randomUnitVectors(total, DIM, SEED + 1),
      partitions: Array.from({ length: total }, (_, r) => `p${r % RANDOM_PARTITIONS}`),
      rounds,
    };
    rows.push(...(await runKnnCase(randomDataset(size, DIM, SEED), queries, context.log)));
  }

  const found = await findDefaultTextModel(context.options);
  if ('missing' in found || !found.model.indexPath) {
    const why = 'missing' in found ? found.missing : `${found.model.dir} has no index.db`;
    notes.push(`WordNet cases skipped: ${why}.`);
    return { status: 'skipped', notes, rows };
  }
  const catalogue = readCatalogue(found.model.indexPath);
  const queries = await glossQueries(found.model, ROUNDS);
  // The VectorIndex file is built by "embedding" each text, so a text must name one vector.
  const order = shuffle(rowsWithUniqueText(catalogue), mulberry32(SEED));
  for (const size of SIZES.filter((s) => s <= order.length)) {
    rows.push(...(await runKnnCase(takeRows(catalogue, order.slice(0, size)), queries, context.log)));
  }
  return { status: 'ran', notes, rows };
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
