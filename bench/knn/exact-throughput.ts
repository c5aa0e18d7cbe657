/**
 * Throughput of exact kNN: `npx tsx bench/knn/exact-throughput.ts [queries] [references] [dim] [k]`.
 * Prints the time and the projected time for 100k x 100k at the same dim.
 */

import { gaussian, mulberry32 } from '../../shared/random.ts';
import { knn } from '../../trainer/eval/knn.ts';
import { embeddingMatrix } from '../../trainer/eval/matrix.ts';

const [queries = 4000, references = 20000, dim = 128, k = 10] = process.argv.slice(2).map(Number);
const random = mulberry32(1);
const matrix = (rows: number) =>
  embeddingMatrix(
    Float32Array.from({ length: rows * dim }, () => gaussian(random)),
    dim,
  );
const query = matrix(queries);
const reference = matrix(references);
for (const distance of ['euclidean', 'cosine'] as const) {
  const start = performance.now();
  knn({ query, reference, k, distance });
  const seconds = (performance.now() - start) / 1000;
  const pairsPerSecond = (queries * references) / seconds;
  console.log(
    `${distance}: ${queries} x ${references} x ${dim}, k=${k}: ${seconds.toFixed(2)} s, ` +
      `${(pairsPerSecond / 1e6).toFixed(1)} M pairs/s, 100k x 100k projected ${(1e10 / pairsPerSecond / 60).toFixed(1)} min`,
  );
}
