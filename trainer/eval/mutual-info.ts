/**
 * Normalised and adjusted mutual information between two labelings, following scikit-learn's
 * normalized_mutual_info_score and adjusted_mutual_info_score with average_method='arithmetic' (their
 * default): natural logarithms, the same special cases, and for AMI the exact expected mutual information
 * under the hypergeometric model (Vinh, Epps and Bailey, 2010) that sklearn's
 * _expected_mutual_info_fast.pyx computes.
 */

interface Contingency {
  /** Row sums: items per true class. */
  a: number[];
  /** Column sums: items per predicted cluster. */
  b: number[];
  /** Non-zero cells as [row, column, count]. */
  cells: [number, number, number][];
  n: number;
}

function contingency(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): Contingency {
  if (labelsTrue.length !== labelsPred.length) {
    throw new Error(`labelings differ in length: ${labelsTrue.length} vs ${labelsPred.length}`);
  }
  const rowOf = new Map<number, number>();
  const columnOf = new Map<number, number>();
  const a: number[] = [];
  const b: number[] = [];
  const cellCounts = new Map<string, [number, number, number]>();
  for (let i = 0; i < labelsTrue.length; i++) {
    const row = indexOf(rowOf, labelsTrue[i], a);
    const column = indexOf(columnOf, labelsPred[i], b);
    a[row]++;
    b[column]++;
    const key = `${row},${column}`;
    const cell = cellCounts.get(key) ?? [row, column, 0];
    cell[2]++;
    cellCounts.set(key, cell);
  }
  return { a, b, cells: [...cellCounts.values()], n: labelsTrue.length };
}

function indexOf(ids: Map<number, number>, label: number, sums: number[]): number {
  let id = ids.get(label);
  if (id === undefined) {
    id = ids.size;
    ids.set(label, id);
    sums.push(0);
  }
  return id;
}

/** Shannon entropy (nats) of a labeling given its class sizes; sklearn's `entropy`. */
function entropy(sizes: readonly number[]): number {
  if (sizes.length === 0) return 1; // sklearn's convention for an empty labeling
  if (sizes.length === 1) return 0;
  const total = sizes.reduce((s, x) => s + x, 0);
  return -sizes.reduce((h, x) => h + (x / total) * (Math.log(x) - Math.log(total)), 0);
}

/** Mutual information (nats); sklearn's mutual_info_score, including its clipping at 0. */
function mutualInformation({ a, b, cells, n }: Contingency): number {
  if (a.length === 1 || b.length === 1) return 0;
  let mi = 0;
  for (const [i, j, nij] of cells) {
    const term =
      (nij / n) * (Math.log(nij) - Math.log(n)) +
      (nij / n) * (Math.log(n) + Math.log(n) - Math.log(a[i] * b[j]));
    mi += Math.abs(term) < Number.EPSILON ? 0 : term;
  }
  return Math.max(0, mi);
}

/** ln(m!) for m = 0..n, by summing logarithms (exact enough: every argument below is an integer). */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let m = 2; m <= n; m++) out[m] = out[m - 1] + Math.log(m);
  return out;
}

/** E[MI] over all labelings with the same class and cluster sizes. */
export function expectedMutualInformation(a: readonly number[], b: readonly number[], n: number): number {
  if (a.length === 1 || b.length === 1) return 0;
  const lf = logFactorials(n);
  const logN = Math.log(n);
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const start = Math.max(1, ai + bj - n);
      const end = Math.min(ai, bj);
      const constant = lf[ai] + lf[bj] + lf[n - ai] + lf[n - bj] - lf[n];
      for (let nij = start; nij <= end; nij++) {
        const logTerm = logN + Math.log(nij) - Math.log(ai) - Math.log(bj);
        const logProbability = constant - lf[nij] - lf[ai - nij] - lf[bj - nij] - lf[n - ai - bj + nij];
        emi += (nij / n) * logTerm * Math.exp(logProbability);
      }
    }
  }
  return emi;
}

/** True when both labelings put everything in one group (or are empty): sklearn scores that 1. */
function bothUnsplit({ a, b }: Contingency): boolean {
  return (a.length === 1 && b.length === 1) || (a.length === 0 && b.length === 0);
}

export function nmi(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const table = contingency(labelsTrue, labelsPred);
  if (bothUnsplit(table)) return 1;
  const mi = mutualInformation(table);
  if (mi === 0) return 0;
  return mi / ((entropy(table.a) + entropy(table.b)) / 2);
}

export function ami(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const table = contingency(labelsTrue, labelsPred);
  if (bothUnsplit(table)) return 1;
  const mi = mutualInformation(table);
  const emi = expectedMutualInformation(table.a, table.b, table.n);
  let denominator = (entropy(table.a) + entropy(table.b)) / 2 - emi;
  // As sklearn: keep the sign but never divide by (almost) zero when EMI meets the maximum.
  denominator =
    denominator < 0 ? Math.min(denominator, -Number.EPSILON) : Math.max(denominator, Number.EPSILON);
  return (mi - emi) / denominator;
}
