/**
 * Float64 building blocks for the brute-force references: plain loops over plain arrays, written from the
 * PML / paper definitions and sharing no code with the tf implementation.
 */

export type Matrix = number[][];

export interface DistanceSpec {
  name: 'lp' | 'cosine' | 'dot';
  p?: number;
  power?: number;
  normalize_embeddings?: boolean;
}

export interface RefDistance {
  inverted: boolean;
  between(x: number[], y: number[]): number;
}

export function lpNorm(x: number[], p: number): number {
  return x.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
}

export function normalized(x: number[], p: number): number[] {
  const n = Math.max(lpNorm(x, p), 1e-12);
  return x.map((v) => v / n);
}

/** PML semantics: normalise (by the distance's p), measure, raise to power. */
export function refDistance(spec: DistanceSpec): RefDistance {
  const p = spec.p ?? 2;
  const power = spec.power ?? 1;
  const normalize = spec.name === 'cosine' ? true : (spec.normalize_embeddings ?? true);
  const prep = (x: number[]) => (normalize ? normalized(x, spec.name === 'lp' ? p : 2) : x);
  const raw =
    spec.name === 'lp'
      ? (x: number[], y: number[]) =>
          lpNorm(
            x.map((v, i) => v - y[i]),
            p,
          )
      : (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);
  return { inverted: spec.name !== 'lp', between: (x, y) => raw(prep(x), prep(y)) ** power };
}

/** How much farther x is than y (PML `margin`). */
export function marginOf(d: RefDistance, x: number, y: number): number {
  return d.inverted ? y - x : x - y;
}

export const relu = (x: number) => Math.max(0, x);
export const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

export function logSumExp(values: number[]): number {
  if (values.length === 0) return Number.NEGATIVE_INFINITY;
  const max = Math.max(...values);
  return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
}

/** log(1 + Σ e^v). */
export function logOnePlusSumExp(values: number[]): number {
  return logSumExp([0, ...values]);
}

export const mean = (values: number[]) =>
  values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
export const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

/** PML AvgNonZeroReducer: the mean of the positive losses, 0 when there is none. */
export function avgNonZero(values: number[]): number {
  return mean(values.filter((v) => v > 0));
}

/** The batch against a reference set: `ref` defaults to the batch itself (and then i is never its own positive). */
export interface RefSets {
  Q: Matrix;
  R: Matrix;
  labels: number[];
  refLabels: number[];
  same: boolean;
}

export function refSets(E: Matrix, labels: number[], ref?: Matrix, refLabels?: number[]): RefSets {
  return { Q: E, R: ref ?? E, labels, refLabels: refLabels ?? labels, same: ref === undefined };
}

export function isPos(s: RefSets, i: number, j: number): boolean {
  return s.labels[i] === s.refLabels[j] && !(s.same && i === j);
}

export function isNeg(s: RefSets, i: number, j: number): boolean {
  return s.labels[i] !== s.refLabels[j];
}
