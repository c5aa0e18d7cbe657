import { averageRanks, checkFinite } from './ranks.ts';

/**
 * Correlations for graded similarity (STS-style evaluation: model similarity vs. human scores).
 * Both follow scipy.stats: Pearson's r, and Spearman's rho as Pearson's r of average ranks (ties share
 * their mean rank). Like scipy, a constant input has no correlation and gives NaN.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length}`);
  if (x.length < 2) throw new Error('a correlation needs at least 2 pairs');
  checkFinite(x, 'x');
  checkFinite(y, 'y');
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // Clamp: rounding can push |r| a hair past 1 for perfectly correlated inputs.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length}`);
  checkFinite(x, 'x');
  checkFinite(y, 'y');
  return pearson(averageRanks(x), averageRanks(y));
}

/** Checked exactly, because a rounded mean can leave tiny non-zero deviations around a constant. */
function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}
