import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingMatrix, selectRows } from '../../trainer/eval/matrix.ts';
import type { Row } from '../results.ts';
import { ratioRow, target, timingRow, valueRow } from '../rows.ts';
import { pairedRatios, type RepeatOptions, timeRounds } from '../stats.ts';
import { openContenders, PARTITION, type Search, STOCK, VECTOR_INDEX } from './contenders.ts';
import type { KnnDataset } from './dataset.ts';
import { kthExactDistances, recallAtK } from './recall.ts';

export const K = 10;

/** Query vectors with the partition each would filter on; round r asks query r. */
export interface KnnQueries {
  vectors: Float32Array;
  partitions: string[];
  rounds: RepeatOptions;
}

/** The target for exact search at 100k: our default at least 2x faster than stock, recall 1.0. */
const TARGET_ROWS = 100_000;
const MIN_SPEEDUP = 2;

/**
 * One data set at one size: builds every contender in a temporary folder, times top-10 queries in rounds
 * (every contender answers query r in round r), grades each answer against exact search, and reports
 * latency, speedup over stock sqlite-vec per query, recall@10, build time and size.
 */
export async function runKnnCase(
  dataset: KnnDataset,
  queries: KnnQueries,
  log: (message: string) => void,
): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-bench-knn-'));
  const { dim } = dataset;
  const label = `${dataset.kind} ${dataset.count.toLocaleString('en-US')} x ${dim}`;
  const caseLog = (message: string) => log(`${label}: ${message}`);
  try {
    const contenders = await openContenders(dataset, dir, caseLog);
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
    for (const name of Object.keys(timings).filter((n) => n !== STOCK && n !== PARTITION)) {
      const speedup = ratioRow(
        group(`speedup over stock sqlite-vec float32, per query (above 1: faster)`),
        name,
        pairedRatios(timings[STOCK], timings[name]),
      );
      if (name === VECTOR_INDEX && dataset.count === TARGET_ROWS) {
        const met = speedup.median >= MIN_SPEEDUP && recalls[name] === 1;
        speedup.target = target(`>= ${MIN_SPEEDUP}x with recall@${K} 1.0`, met);
        speedup.note = `recall@${K} ${recalls[name]}`;
      }
      rows.push(speedup);
    }
    for (const name of Object.keys(timings)) {
      rows.push(
        valueRow(
          group(`recall@${K} against exact search, mean over ${rounds} queries`),
          name,
          recalls[name],
          '',
          {
            ...(name === PARTITION ? { note: 'exact search within the same partition' } : {}),
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
  for (const [name, found] of Object.entries(answers)) {
    let sum = 0;
    for (let round = 0; round < rounds; round++) {
      const query = queryMatrix.data.subarray(round * dim, (round + 1) * dim);
      sum +=
        name === PARTITION
          ? recallAtK(found[round], query, reference, kthInPartition[round], wantedInPartition[round])
          : recallAtK(found[round], query, reference, kth[round], K);
    }
    recall[name] = sum / rounds;
  }
  return recall;
}
