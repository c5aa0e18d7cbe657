import { type DistanceSpec, isNeg, isPos, type Matrix, refDistance, refSets } from './math.ts';

/**
 * Brute-force references for the deterministic miners: the tuples they must return, as sorted strings
 * "a,p" / "a,n" / "a,p,n", computed in float64 from each miner's definition.
 */

export interface MinerInput {
  E: Matrix;
  labels: number[];
  ref?: Matrix;
  refLabels?: number[];
}

export interface ExpectedPairs {
  pos: string[];
  neg: string[];
}

function table(x: MinerInput, distance: DistanceSpec) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(distance);
  const at = (i: number, j: number) => d.between(s.Q[i], s.R[j]);
  // "farther" in the distance's own sense: larger distance, smaller similarity.
  const farther = (x1: number, x2: number) => (d.inverted ? x1 < x2 : x1 > x2);
  const cols = s.R.map((_, j) => j);
  return { s, at, farther, cols };
}

export function tripletMarginMinerRef(
  x: MinerInput,
  o: { margin: number; type: string; distance: DistanceSpec },
): string[] {
  const { s, at, cols } = table(x, o.distance);
  const inverted = refDistance(o.distance).inverted;
  const out: string[] = [];
  s.Q.forEach((_, a) =>
    cols.forEach((p) =>
      cols.forEach((n) => {
        if (!isPos(s, a, p) || !isNeg(s, a, n)) return;
        const m = inverted ? at(a, p) - at(a, n) : at(a, n) - at(a, p);
        const keep =
          o.type === 'easy'
            ? m > o.margin
            : o.type === 'hard'
              ? m <= 0
              : o.type === 'semihard'
                ? m > 0 && m <= o.margin
                : m <= o.margin;
        if (keep) out.push(`${a},${p},${n}`);
      }),
    ),
  );
  return out.sort();
}

export function batchHardMinerRef(x: MinerInput, distance: DistanceSpec): string[] {
  const { s, at, farther, cols } = table(x, distance);
  const out: string[] = [];
  s.Q.forEach((_, a) => {
    const pos = cols.filter((j) => isPos(s, a, j));
    const neg = cols.filter((j) => isNeg(s, a, j));
    if (pos.length === 0 || neg.length === 0) return;
    const p = pos.reduce((best, j) => (farther(at(a, j), at(a, best)) ? j : best));
    const n = neg.reduce((best, j) => (farther(at(a, best), at(a, j)) ? j : best));
    out.push(`${a},${p},${n}`);
  });
  return out.sort();
}

/** Easy positive = closest, hard = farthest; hard negative = closest, easy = farthest; semihard as documented. */
export function batchEasyHardMinerRef(
  x: MinerInput,
  o: {
    pos: string;
    neg: string;
    posRange?: [number, number];
    negRange?: [number, number];
    distance: DistanceSpec;
  },
): ExpectedPairs {
  const { s, at, farther, cols } = table(x, o.distance);
  const within = (v: number, r?: [number, number]) => r === undefined || (v >= r[0] && v <= r[1]);
  const pick = (a: number, candidates: number[], want: 'closest' | 'farthest') =>
    candidates.length === 0
      ? -1
      : candidates.reduce((best, j) =>
          want === 'farthest'
            ? farther(at(a, j), at(a, best))
              ? j
              : best
            : farther(at(a, best), at(a, j))
              ? j
              : best,
        );
  const pos: string[] = [];
  const neg: string[] = [];
  s.Q.forEach((_, a) => {
    const positives = cols.filter((j) => isPos(s, a, j) && within(at(a, j), o.posRange));
    const negatives = cols.filter((j) => isNeg(s, a, j) && within(at(a, j), o.negRange));
    if (o.pos === 'all') positives.forEach((p) => pos.push(`${a},${p}`));
    if (o.neg === 'all') negatives.forEach((n) => neg.push(`${a},${n}`));
    let p = -1;
    let n = -1;
    if (o.pos === 'semihard') {
      n = pick(a, negatives, o.neg === 'easy' ? 'farthest' : 'closest');
      p =
        n < 0
          ? -1
          : pick(
              a,
              positives.filter((j) => farther(at(a, n), at(a, j))),
              'farthest',
            );
    } else if (o.neg === 'semihard') {
      p = pick(a, positives, o.pos === 'easy' ? 'closest' : 'farthest');
      n =
        p < 0
          ? -1
          : pick(
              a,
              negatives.filter((j) => farther(at(a, j), at(a, p))),
              'closest',
            );
    } else {
      if (o.pos !== 'all') p = pick(a, positives, o.pos === 'easy' ? 'closest' : 'farthest');
      if (o.neg !== 'all') n = pick(a, negatives, o.neg === 'easy' ? 'farthest' : 'closest');
    }
    const both = o.pos !== 'all' && o.neg !== 'all';
    if (p >= 0 && (!both || n >= 0)) pos.push(`${a},${p}`);
    if (n >= 0 && (!both || p >= 0)) neg.push(`${a},${n}`);
  });
  return { pos: pos.sort(), neg: neg.sort() };
}

/** Wang et al. 2019 eq. 9-10 (for similarities; mirrored for distances). */
export function multiSimilarityMinerRef(
  x: MinerInput,
  o: { epsilon: number; distance: DistanceSpec },
): ExpectedPairs {
  const { s, at, cols } = table(x, o.distance);
  const inverted = refDistance(o.distance).inverted;
  const pos: string[] = [];
  const neg: string[] = [];
  s.Q.forEach((_, a) => {
    const positives = cols.filter((j) => isPos(s, a, j)).map((j) => at(a, j));
    const negatives = cols.filter((j) => isNeg(s, a, j)).map((j) => at(a, j));
    if (positives.length === 0 || negatives.length === 0) return;
    cols.forEach((j) => {
      const v = at(a, j);
      if (
        isNeg(s, a, j) &&
        (inverted ? v + o.epsilon > Math.min(...positives) : v - o.epsilon < Math.max(...positives))
      ) {
        neg.push(`${a},${j}`);
      }
      if (
        isPos(s, a, j) &&
        (inverted ? v - o.epsilon < Math.max(...negatives) : v + o.epsilon > Math.min(...negatives))
      ) {
        pos.push(`${a},${j}`);
      }
    });
  });
  return { pos: pos.sort(), neg: neg.sort() };
}

export function pairMarginMinerRef(
  x: MinerInput,
  o: { pos_margin: number; neg_margin: number; distance: DistanceSpec },
): ExpectedPairs {
  const { s, at, cols } = table(x, o.distance);
  const inverted = refDistance(o.distance).inverted;
  const pos: string[] = [];
  const neg: string[] = [];
  s.Q.forEach((_, a) =>
    cols.forEach((j) => {
      const v = at(a, j);
      if (isPos(s, a, j) && (inverted ? v < o.pos_margin : v > o.pos_margin)) pos.push(`${a},${j}`);
      if (isNeg(s, a, j) && (inverted ? v > o.neg_margin : v < o.neg_margin)) neg.push(`${a},${j}`);
    }),
  );
  return { pos: pos.sort(), neg: neg.sort() };
}
