import {
  avgNonZero,
  type DistanceSpec,
  isNeg,
  isPos,
  type Matrix,
  marginOf,
  refDistance,
  refSets,
  relu,
  softplus,
} from './math.ts';

/** Brute-force references for the triplet-based losses over every (anchor, positive, negative). */

export interface TripletInput {
  E: Matrix;
  labels: number[];
  ref?: Matrix;
  refLabels?: number[];
}

function forEachTriplet(x: TripletInput, visit: (a: number, p: number, n: number) => void): void {
  const s = refSets(x.E, x.labels, x.ref, x.refLabels);
  s.Q.forEach((_, a) =>
    s.R.forEach((_, p) => {
      if (!isPos(s, a, p)) return;
      s.R.forEach((_, n) => {
        if (isNeg(s, a, n)) visit(a, p, n);
      });
    }),
  );
}

export function tripletMarginRef(
  x: TripletInput,
  o: { margin: number; swap: boolean; smooth_loss: boolean; distance: DistanceSpec },
) {
  const d = refDistance(o.distance);
  const R = x.ref ?? x.E;
  const losses: number[] = [];
  forEachTriplet(x, (a, p, n) => {
    let an = d.between(x.E[a], R[n]);
    if (o.swap) {
      const pn = d.between(R[p], R[n]);
      an = d.inverted ? Math.max(an, pn) : Math.min(an, pn);
    }
    const violation = marginOf(d, d.between(x.E[a], R[p]), an) + o.margin;
    losses.push(o.smooth_loss ? softplus(violation) : relu(violation));
  });
  return avgNonZero(losses);
}

/** Chen et al. 2017 eq. 5 with, per triplet, the fourth sample closest to n among the allowed ones. */
export function quadrupletRef(
  x: TripletInput,
  o: { margin_1: number; margin_2: number; distance: DistanceSpec },
) {
  const d = refDistance(o.distance);
  const first: number[] = [];
  const second: number[] = [];
  forEachTriplet(x, (a, p, n) => {
    const ap = d.between(x.E[a], x.E[p]);
    first.push(relu(marginOf(d, ap, d.between(x.E[a], x.E[n])) + o.margin_1));
    let best = -1;
    let bestValue = 0;
    x.E.forEach((row, l) => {
      if (x.labels[l] === x.labels[a] || x.labels[l] === x.labels[n]) return;
      const v = d.between(x.E[n], row);
      if (best < 0 || (d.inverted ? v > bestValue : v < bestValue)) {
        best = l;
        bestValue = v;
      }
    });
    if (best >= 0) second.push(relu(marginOf(d, ap, bestValue) + o.margin_2));
  });
  return avgNonZero(first) + avgNonZero(second);
}

/** Wu et al. 2017 with PML's divisor: Σ (pos + neg) / (number of non-zero pos and neg terms) + beta regulariser. */
export function marginRef(
  x: TripletInput & { beta: number[] },
  o: { margin: number; nu: number; learn_beta: boolean; distance: DistanceSpec },
) {
  const d = refDistance(o.distance);
  const R = x.ref ?? x.E;
  let total = 0;
  let active = 0;
  const betas: number[] = [];
  forEachTriplet(x, (a, p, n) => {
    const beta = x.beta.length === 1 ? x.beta[0] : x.beta[x.labels[a]];
    betas.push(beta);
    const pos = relu(marginOf(d, d.between(x.E[a], R[p]), beta) + o.margin);
    const neg = relu(marginOf(d, beta, d.between(x.E[a], R[n])) + o.margin);
    total += pos + neg;
    active += (pos > 0 ? 1 : 0) + (neg > 0 ? 1 : 0);
  });
  const marginLoss = active === 0 ? 0 : total / active;
  if (!o.learn_beta || betas.length === 0) return marginLoss;
  if (x.beta.length === 1) return marginLoss + o.nu * x.beta[0];
  return marginLoss + (active === 0 ? 0 : betas.reduce((s, b) => s + o.nu * b, 0) / active);
}
