import {
  avgNonZero,
  type DistanceSpec,
  isNeg,
  isPos,
  logOnePlusSumExp,
  logSumExp,
  type Matrix,
  marginOf,
  mean,
  refDistance,
  refSets,
  relu,
  softplus,
} from './math.ts';

/** Brute-force references for the pair-based losses, loop by loop from the papers / PML docs. */

export interface PairInput {
  E: Matrix;
  labels: number[];
  ref?: Matrix;
  refLabels?: number[];
}

export function contrastiveRef(
  x: PairInput,
  o: { pos_margin: number; neg_margin: number; distance: DistanceSpec },
) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(o.distance);
  const pos: number[] = [];
  const neg: number[] = [];
  s.Q.forEach((q, i) =>
    s.R.forEach((r, j) => {
      if (isPos(s, i, j)) pos.push(relu(marginOf(d, d.between(q, r), o.pos_margin)));
      if (isNeg(s, i, j)) neg.push(relu(marginOf(d, o.neg_margin, d.between(q, r))));
    }),
  );
  return avgNonZero(pos) + avgNonZero(neg);
}

/** Song et al. 2016 eq. 4 with PML's margins; mean over positive pairs of [J]+² / 2. */
export function liftedRef(
  x: PairInput,
  o: { pos_margin: number; neg_margin: number; distance: DistanceSpec },
) {
  const s = refSets(x.E, x.labels);
  const d = refDistance(o.distance);
  const n = x.E.length;
  const negativesOf = (i: number) =>
    Array.from({ length: n }, (_, k) => k)
      .filter((k) => isNeg(s, i, k))
      .map((k) => marginOf(d, o.neg_margin, d.between(x.E[i], x.E[k])));
  const losses: number[] = [];
  let anyNegative = false;
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) anyNegative ||= isNeg(s, i, k);
  if (!anyNegative) return 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (!isPos(s, i, j)) continue;
      const terms = [...negativesOf(i), ...negativesOf(j)];
      const j_ =
        (terms.length > 0 ? logSumExp(terms) : 0) + marginOf(d, d.between(x.E[i], x.E[j]), o.pos_margin);
      losses.push(relu(j_) ** 2 / 2);
    }
  }
  return mean(losses);
}

export function generalizedLiftedRef(
  x: PairInput,
  o: { pos_margin: number; neg_margin: number; distance: DistanceSpec },
) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(o.distance);
  const lseOr0 = (v: number[]) => (v.length === 0 ? 0 : logSumExp(v));
  return mean(
    s.Q.map((q, i) => {
      const pos: number[] = [];
      const neg: number[] = [];
      s.R.forEach((r, j) => {
        if (isPos(s, i, j)) pos.push(marginOf(d, d.between(q, r), o.pos_margin));
        if (isNeg(s, i, j)) neg.push(marginOf(d, o.neg_margin, d.between(q, r)));
      });
      return relu(lseOr0(pos) + lseOr0(neg));
    }),
  );
}

export function multiSimilarityRef(
  x: PairInput,
  o: { alpha: number; beta: number; base: number; distance: DistanceSpec },
) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(o.distance);
  return mean(
    s.Q.map((q, i) => {
      const pos: number[] = [];
      const neg: number[] = [];
      s.R.forEach((r, j) => {
        const v = d.between(q, r);
        if (isPos(s, i, j)) pos.push(o.alpha * marginOf(d, v, o.base));
        if (isNeg(s, i, j)) neg.push(o.beta * marginOf(d, o.base, v));
      });
      return logOnePlusSumExp(pos) / o.alpha + logOnePlusSumExp(neg) / o.beta;
    }),
  );
}

/** Sun et al. 2020 eq. 6-8; the weights a_p, a_n come from `frozen` (PML detaches them). */
export function circleRef(x: PairInput & { frozen?: Matrix }, o: { m: number; gamma: number }) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const frozen = refSets(x.frozen ?? x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance({ name: 'cosine' });
  const losses = s.Q.map((q, i) => {
    const pos: number[] = [];
    const neg: number[] = [];
    s.R.forEach((r, j) => {
      const sim = d.between(q, r);
      const fixed = d.between(frozen.Q[i], frozen.R[j]);
      if (isPos(s, i, j)) pos.push(-o.gamma * relu(1 + o.m - fixed) * (sim - (1 - o.m)));
      if (isNeg(s, i, j)) neg.push(o.gamma * relu(fixed + o.m) * (sim - o.m));
    });
    return pos.length > 0 && neg.length > 0 ? softplus(logSumExp(pos) + logSumExp(neg)) : 0;
  });
  return avgNonZero(losses);
}

export function ntxentRef(x: PairInput, o: { temperature: number; distance: DistanceSpec }) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(o.distance);
  const logit = (i: number, j: number) => (d.inverted ? 1 : -1) * (d.between(s.Q[i], s.R[j]) / o.temperature);
  const losses: number[] = [];
  let anyNegative = false;
  s.Q.forEach((_, i) => s.R.forEach((_, j) => (anyNegative ||= isNeg(s, i, j))));
  if (!anyNegative) return 0;
  s.Q.forEach((_, i) =>
    s.R.forEach((_, j) => {
      if (!isPos(s, i, j)) return;
      const negatives = s.R.map((_, k) => k)
        .filter((k) => isNeg(s, i, k))
        .map((k) => logit(i, k));
      losses.push(logSumExp([logit(i, j), ...negatives]) - logit(i, j));
    }),
  );
  return mean(losses);
}

export function supconRef(x: PairInput, o: { temperature: number; distance: DistanceSpec }) {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  const d = refDistance(o.distance);
  const logit = (i: number, j: number) => (d.inverted ? 1 : -1) * (d.between(s.Q[i], s.R[j]) / o.temperature);
  const losses = s.Q.map((_, i) => {
    const others = s.R.map((_, j) => j).filter((j) => isPos(s, i, j) || isNeg(s, i, j));
    const positives = others.filter((j) => isPos(s, i, j));
    if (positives.length === 0) return 0;
    const denominator = logSumExp(others.map((j) => logit(i, j)));
    return -mean(positives.map((j) => logit(i, j) - denominator));
  });
  return avgNonZero(losses);
}
