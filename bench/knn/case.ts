import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingMatrix, selectRows } from '../../trainer/eval/matrix.ts';
import type { Row } from '../results.ts';
import { ratioRow, target, timingRow, valueRow } from '../rows.ts';
import { pairedRatios, type RepeatOptions, timeRounds } from '../stats.ts';
import type { BuiltFile } from './build-cache.ts';
import {
  MMAP,
  openContenders,
  PARTITION,
  PARTITIONED,
  SEQUENTIAL,
  type Search,
  SIMD_F32,
  SIMD_I8,
  STOCK,
  VECTOR_INDEX,
  VECTOR_INDEX_FILTERED,
} from './contenders.ts';
import type { KnnDataset } from './dataset.ts';
import { kthExactDistances, recallAtK } from './recall.ts';

export const K = 10;

/** Query vectors with the partition each would filter on; round r asks query r. */
export interface KnnQueries {
  vectors: Float32Array;
  partitions: string[];
  rounds: RepeatOptions;
}

/**
 * Issue 23's targets for exact search at 100k: the VectorIndex at least 3x stock sqlite-vec and 2x
 * sqlite-vec with mmap (per query), within 1.5x of a sequential read of the same float32 bytes, recall 1.0.
 */
const TARGET_ROWS = 100_000;
const MIN_OVER_STOCK = 3;
const MIN_OVER_MMAP = 2;
const MAX_OVER_SEQUENTIAL = 1.5;
/** The exact scans compared with the tuned sqlite-vec table and with the sequential read. */
const SCANS = [VECTOR_INDEX, SIMD_I8, SIMD_F32];

export interface KnnCaseOptions {
  /** The trainer's index file over the data set (with or without its graph), built in or for `dir`. */
  vectorIndex: (dir: string) => Promise<BuiltFile>;
  /** The exact-scan kernel (shared/ann/scan-kernel). */
  kernel: WebAssembly.Module;
}

/**
 * One data set at one size: builds every contender in a temporary folder, times top-10 queries in rounds
 * (every contender answers query r in round r), grades each answer against exact search, and reports
 * latency, speedup over stock sqlite-vec per query, recall@10, build time and size.
 */
export async function runKnnCase(
  dataset: KnnDataset,
  queries: KnnQueries,
  options: KnnCaseOptions,
  log: (message: string) => void,
): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-bench-knn-'));
  const { dim } = dataset;
  const label = `${dataset.kind} ${dataset.count.toLocaleString('en-US')} x ${dim}`;
  const caseLog = (message: string) => log(`${label}: ${message}`);
  try {
    caseLog('building the VectorIndex file');
    const vectorIndex = await options.vectorIndex(dir);
    const contenders = await openContenders(dataset, dir, vectorIndex, options.kernel, caseLog);
    caseLog(`${queries.rounds.repeats} top-${K} queries (+${queries.rounds.warmup} warm-up) per contender`);
    const { timings, answers } = await timeSearches(contenders.searches, queries, dim).finally(() =>
      contenders.close(),
    );

    caseLog('exact search for recall');
    const recalls = gradeAnswers(dataset, queries, answers);

    const group = (what: string) => `${label}: ${what}`;
    const rounds = queries.rounds.warmup + queries.rounds.repeats;
    const rows: Row[] = [];
    for (const [name, samples] of Object.entries(timings)) {
      rows.push(timingRow(group(`top-${K} latency`), name, samples));
    }
    const targeted = (name: string) => name === VECTOR_INDEX && dataset.count === TARGET_ROWS;
    const exact = (name: string) => recalls[name] === 1;
    for (const name of Object.keys(timings).filter((n) => ![STOCK, SEQUENTIAL, ...PARTITIONED].includes(n))) {
      const speedup = ratioRow(
        group(`speedup over stock sqlite-vec float32, per query (above 1: faster)`),
        name,
        pairedRatios(timings[STOCK], timings[name]),
      );
      if (targeted(name)) {
        const met = speedup.median >= MIN_OVER_STOCK && exact(name);
        speedup.target = target(`>= ${MIN_OVER_STOCK}x with recall@${K} 1.0`, met, 'higher');
        speedup.note = `recall@${K} ${recalls[name]}`;
      }
      rows.push(speedup);
    }
    for (const name of SCANS) {
      const speedup = ratioRow(
        group('speedup over sqlite-vec float32 with mmap (warm), per query (above 1: faster)'),
        name,
        pairedRatios(timings[MMAP], timings[name]),
      );
      if (targeted(name)) {
        const met = speedup.median >= MIN_OVER_MMAP && exact(name);
        speedup.target = target(`>= ${MIN_OVER_MMAP}x with recall@${K} 1.0`, met, 'higher');
      }
      rows.push(speedup);
    }
    for (const name of [...SCANS, MMAP]) {
      const ratio = ratioRow(
        group(
          'latency over a sequential read of the same float32 vectors, per query (below 1: faster than reading them)',
        ),
        name,
        pairedRatios(timings[name], timings[SEQUENTIAL]),
      );
      if (targeted(name)) {
        const met = ratio.median <= MAX_OVER_SEQUENTIAL && exact(name);
        ratio.target = target(`<= ${MAX_OVER_SEQUENTIAL}x with recall@${K} 1.0`, met, 'lower');
      }
      rows.push(ratio);
    }
    rows.push(
      ratioRow(
        group("filtered search: speedup over sqlite-vec's partition key, per query (above 1: faster)"),
        VECTOR_INDEX_FILTERED,
        pairedRatios(timings[PARTITION], timings[VECTOR_INDEX_FILTERED]),
      ),
    );
    for (const name of Object.keys(timings).filter((n) => n !== SEQUENTIAL)) {
      rows.push(
        valueRow(
          group(`recall@${K} against exact search, mean over ${rounds} queries`),
          name,
          recalls[name],
          '',
          {
            ...(PARTITIONED.includes(name) ? { note: 'exact search within the same partition' } : {}),
          },
        ),
      );
    }
    for (const entry of contenders.builds) {
      rows.push(valueRow(group('build time'), entry.name, entry.seconds, 's'));
      rows.push(valueRow(group('size'), entry.name, entry.bytes / 1e6, 'MB', { note: entry.where }));
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Times every search in rounds (round r asks query r of every contender) and keeps the answers. */
async function timeSearches(searches: Record<string, Search>, queries: KnnQueries, dim: number) {
  const answers: Record<string, ArrayLike<number>[]> = {};
  const runs: Record<string, (round: number) => Promise<void>> = {};
  for (const [name, search] of Object.entries(searches)) {
    answers[name] = [];
    runs[name] = async (round) => {
      const query = queries.vectors.subarray(round * dim, (round + 1) * dim);
      answers[name][round] = await search(query, K, queries.partitions[round]);
    };
  }
  return { timings: await timeRounds(runs, queries.rounds), answers };
}

/** Mean recall@K of each contender's answers; the partition contender is graded within its partition. */
function gradeAnswers(
  dataset: KnnDataset,
  queries: KnnQueries,
  answers: Record<string, ArrayLike<number>[]>,
): Record<string, number> {
  const { dim } = dataset;
  const reference = embeddingMatrix(dataset.vectors, dim);
  const queryMatrix = embeddingMatrix(queries.vectors, dim);
  const rounds = queries.rounds.warmup + queries.rounds.repeats;
  const kth = kthExactDistances(queryMatrix, reference, K);

  // A small partition may hold fewer than K rows: all of them is then a perfect answer.
  const kthInPartition = new Float64Array(rounds);
  const wantedInPartition = new Int32Array(rounds);
  for (const partition of new Set(queries.partitions.slice(0, rounds))) {
    const rows = dataset.partitions.flatMap((p, row) => (p === partition ? [row] : []));
    const asked = queries.partitions.flatMap((p, round) =>
      p === partition && round < rounds ? [round] : [],
    );
    if (rows.length === 0) throw new Error(`no row is in partition ${partition}, which a query filters on`);
    const distances = kthExactDistances(selectRows(queryMatrix, asked), selectRows(reference, rows), K);
    asked.forEach((round, i) => {
      kthInPartition[round] = distances[i];
      wantedInPartition[round] = Math.min(K, rows.length);
    });
  }

  const recall: Record<string, number> = {};
  for (const [name, found] of Object.entries(answers).filter(([n]) => n !== SEQUENTIAL)) {
    let sum = 0;
    for (let round = 0; round < rounds; round++) {
      const query = queryMatrix.data.subarray(round * dim, (round + 1) * dim);
      sum += PARTITIONED.includes(name)
        ? recallAtK(found[round], query, reference, kthInPartition[round], wantedInPartition[round])
        : recallAtK(found[round], query, reference, kth[round], K);
    }
    recall[name] = sum / rounds;
  }
  return recall;
}
