import { embeddingMatrix } from '../../trainer/eval/matrix.ts';
import type { Row } from '../results.ts';
import { ratioRow, target, timingRow, valueRow } from '../rows.ts';
import { quantile, timeRounds } from '../stats.ts';
import type { BuiltFile } from './build-cache.ts';
import type { KnnQueries } from './case.ts';
import type { KnnDataset } from './dataset.ts';
import { HNSW_EF_CONSTRUCTION, HNSW_M, openHnsw } from './hnsw.ts';
import { kthExactDistances, recallAtK } from './recall.ts';
import { openGraphWalk } from './vector-index.ts';

const K = 10;
/** The candidate counts both graphs are searched with: the points of each recall-against-latency curve. */
export const CURVE_EFS = [10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 100, 128, 160, 200, 256, 320, 400];
/** The recalls at which the two curves are compared (issue 23: at or ahead of hnswlib-node at both). */
export const CURVE_RECALLS = [0.95, 0.99];
const MAX_RATIO = 1;

export const OURS =
  'ours: VectorIndex graph walk (HNSW m 16, efConstruction 100; int8 walk in WASM SIMD, float32 re-rank; no join)';
export const HNSWLIB = `hnswlib-node (M ${HNSW_M}, efConstruction ${HNSW_EF_CONSTRUCTION})`;

interface CurvePoint {
  ef: number;
  recall: number;
  medianMs: number;
}

/**
 * Recall@10 against latency for our graph walk and hnswlib-node over the same vectors, at every ef of
 * CURVE_EFS (each ef's queries timed in paired rounds). Then, at each of CURVE_RECALLS, the latency of
 * each read off its curve (interpolated between the two ef values around it), and their ratio (the target: at most 1). Build time and
 * size of both graphs go in the same rows.
 */
export async function runGraphCurve(
  label: string,
  dataset: KnnDataset,
  queries: KnnQueries,
  files: { ours: BuiltFile; hnswlib: BuiltFile },
  kernel: WebAssembly.Module,
  log: (message: string) => void,
): Promise<Row[]> {
  const { dim } = dataset;
  const walk = openGraphWalk(files.ours.path, dim, kernel);
  const hnsw = openHnsw(files.hnswlib.path, dim);
  const query = (round: number) => queries.vectors.subarray(round * dim, (round + 1) * dim);
  const grade = grader(dataset, queries);
  log(`graph curves: ${CURVE_EFS.length} ef values, ${queries.rounds.repeats} queries each`);

  const searches: Record<string, (q: Float32Array, ef: number) => ArrayLike<number>> = {
    [OURS]: (q, ef) => walk(q, K, ef),
    [HNSWLIB]: (q, ef) => hnsw.search(q, K, ef),
  };
  const curves: Record<string, CurvePoint[]> = { [OURS]: [], [HNSWLIB]: [] };
  const rows: Row[] = [];
  const group = (what: string) => `${label}: ${what}`;
  for (const ef of CURVE_EFS) {
    const answers: Record<string, ArrayLike<number>[]> = { [OURS]: [], [HNSWLIB]: [] };
    const runs = Object.fromEntries(
      Object.entries(searches).map(([name, search]) => [
        name,
        (round: number) => {
          answers[name][round] = search(query(round), ef);
        },
      ]),
    );
    const timings = await timeRounds(runs, queries.rounds);
    for (const name of Object.keys(searches)) {
      const recall = grade(answers[name]);
      curves[name].push({ ef, recall, medianMs: quantile(timings[name], 0.5) });
      rows.push(
        timingRow(
          group(`graph search: top-${K} latency per ef (recall@${K} in the note)`),
          `${name}, ef ${ef}`,
          timings[name],
          {
            note: `recall@${K} ${recall.toFixed(3)}`,
          },
        ),
      );
    }
  }

  for (const wanted of CURVE_RECALLS) {
    const row = equalRecallRow(
      group('graph search: latency at equal recall (below 1: ours faster)'),
      curves,
      wanted,
    );
    if (row) rows.push(row);
  }

  const reused = (file: BuiltFile) => (file.reused ? ' (built by the first round)' : '');
  rows.push(
    valueRow(group('graph build time'), OURS, files.ours.graphSeconds ?? files.ours.seconds, 's', {
      note: `the graph alone${reused(files.ours)}; the whole index file took ${files.ours.seconds.toFixed(1)} s`,
    }),
    valueRow(group('graph build time'), HNSWLIB, files.hnswlib.seconds, 's', {
      note: reused(files.hnswlib).trim(),
    }),
    valueRow(group('graph size'), OURS, files.ours.bytes / 1e6, 'MB', {
      note: 'the index file: vectors, items with text and metadata, and the graph',
    }),
    valueRow(group('graph size'), HNSWLIB, files.hnswlib.bytes / 1e6, 'MB', {
      note: 'saved graph with its vectors',
    }),
  );
  return rows;
}

/**
 * Ours over hnswlib-node's latency, each read off its curve at recall `wanted` (atRecall). A curve that
 * never reaches it is compared at its largest ef (ours then misses the target; theirs cannot deny it).
 */
function equalRecallRow(
  group: string,
  curves: Record<string, CurvePoint[]>,
  wanted: number,
): Row | undefined {
  const ours = atRecall(curves[OURS], wanted);
  const theirs = atRecall(curves[HNSWLIB], wanted);
  const oursAt = ours ?? curves[OURS].at(-1);
  const theirsAt = theirs ?? curves[HNSWLIB].at(-1);
  if (!oursAt || !theirsAt) return undefined;
  const describe = (point: CurvePoint, reached: boolean) =>
    `${point.medianMs.toFixed(3)} ms at ef ${Number(point.ef.toFixed(1))}` +
    (reached ? '' : ` (its best, recall ${point.recall.toFixed(3)}: short of it)`);
  const ratio = oursAt.medianMs / theirsAt.medianMs;
  const met = ours !== undefined && (theirs === undefined || ratio <= MAX_RATIO);
  return ratioRow(group, `recall@${K} >= ${wanted}: ours / hnswlib-node`, [ratio], {
    target: target(`<= ${MAX_RATIO}x hnswlib-node at the same recall`, met, 'lower'),
    note: `ours ${describe(oursAt, ours !== undefined)}; hnswlib-node ${describe(theirsAt, theirs !== undefined)}`,
  });
}

/**
 * The curve's latency at recall `wanted`: interpolated linearly between the last ef below it and the first
 * that reaches it (the curve is in ascending ef; `ef` is then fractional), or the first point when even the
 * smallest ef reaches it. Undefined when no ef does.
 */
function atRecall(curve: readonly CurvePoint[], wanted: number): CurvePoint | undefined {
  const i = curve.findIndex((point) => point.recall >= wanted);
  if (i < 0) return undefined;
  if (i === 0 || curve[i].recall === curve[i - 1].recall) return curve[i];
  const [below, above] = [curve[i - 1], curve[i]];
  const t = (wanted - below.recall) / (above.recall - below.recall);
  const between = (a: number, b: number) => a + t * (b - a);
  return {
    ef: between(below.ef, above.ef),
    recall: wanted,
    medianMs: between(below.medianMs, above.medianMs),
  };
}

/** Mean recall@K of a list of answers (one per query), graded against exact search in float64. */
function grader(dataset: KnnDataset, queries: KnnQueries): (answers: ArrayLike<number>[]) => number {
  const { dim } = dataset;
  const reference = embeddingMatrix(dataset.vectors, dim);
  const queryMatrix = embeddingMatrix(queries.vectors, dim);
  const kth = kthExactDistances(queryMatrix, reference, K);
  return (answers) => {
    let sum = 0;
    answers.forEach((found, q) => {
      sum += recallAtK(found, queryMatrix.data.subarray(q * dim, (q + 1) * dim), reference, kth[q], K);
    });
    return sum / answers.length;
  };
}
