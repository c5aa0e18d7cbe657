/**
 * Quantiles of Student's t distribution for integer degrees of freedom, from the closed form of
 * P(|T| < t) (Abramowitz and Stegun 26.7.3 and 26.7.4), inverted by bisection. Exact to ~1e-12.
 */

/** P(|T| < t) for t >= 0 and df >= 1 degrees of freedom. */
export function studentTCentralProbability(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  const theta = Math.atan(t / Math.sqrt(df));
  const sin = Math.sin(theta);
  const cos2 = Math.cos(theta) ** 2;
  // The series: the sum of coefficient_j x cos^(2j) over the terms the formula for this parity needs.
  let term = 1;
  let sum = 1;
  if (df % 2 === 1) {
    if (df === 1) return (2 / Math.PI) * theta;
    for (let j = 1; 2 * j + 1 <= df - 1; j++) {
      term *= ((2 * j) / (2 * j + 1)) * cos2;
      sum += term;
    }
    return (2 / Math.PI) * (theta + sin * Math.cos(theta) * sum);
  }
  for (let j = 1; 2 * j <= df - 2; j++) {
    term *= ((2 * j - 1) / (2 * j)) * cos2;
    sum += term;
  }
  return sin * sum;
}

/** The t with P(|T| < t) = coverage, e.g. coverage 0.95 gives the two-sided 95% critical value. */
export function studentTCritical(coverage: number, df: number): number {
  if (!(coverage > 0 && coverage < 1)) throw new Error(`coverage must be in (0, 1), got ${coverage}`);
  let low = 0;
  let high = 1;
  while (studentTCentralProbability(high, df) < coverage) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTCentralProbability(mid, df) < coverage) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
