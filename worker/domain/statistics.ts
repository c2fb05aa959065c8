/**
 * The statistics every measure rests on, as plain functions over sufficient statistics (counts,
 * sums, sums of squares), so they read rollups and never raw ratings.
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

export interface MeanEstimate {
  n: number;
  mean: number;
  /** Standard error of the mean; null when n < 2. */
  standardError: number | null;
}

/** Mean and its standard error from n, Σx and Σx²; null for an empty group. */
export function meanOf(n: number, sum: number, sumOfSquares: number): MeanEstimate | null {
  if (n <= 0) return null;
  const mean = sum / n;
  if (n < 2) return { n, mean, standardError: null };
  // Sample variance; clamped because Σx² − n·mean² can dip below 0 by rounding.
  const variance = Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1));
  return { n, mean, standardError: Math.sqrt(variance / n) };
}

/** Wilson score interval for a proportion (better than Wald near 0 and 1 and for small n). */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ShareEstimate {
  n: number;
  share: number;
  interval: Interval;
}

export function shareOf(successes: number, n: number): ShareEstimate | null {
  const interval = wilsonInterval(successes, n);
  return interval ? { n, share: successes / n, interval } : null;
}

export interface NetScore {
  n: number;
  /** % promoters − % detractors, −100..100. */
  score: number;
  promoters: number;
  detractors: number;
  interval: Interval;
}

/**
 * Net score (NPS, eNPS): promoters (9-10) minus detractors (0-6), in points. Its interval is that
 * of a difference of two shares of one multinomial sample, Var = (p₊ + p₋ − (p₊ − p₋)²) / n, not
 * Wilson's, which is for a single share.
 */
export function netScore(promoters: number, detractors: number, n: number, z = Z95): NetScore | null {
  if (n <= 0) return null;
  const pPlus = promoters / n;
  const pMinus = detractors / n;
  const difference = pPlus - pMinus;
  const half = z * Math.sqrt(Math.max(0, pPlus + pMinus - difference * difference) / n);
  return {
    n,
    score: 100 * difference,
    promoters,
    detractors,
    interval: { low: Math.max(-100, 100 * (difference - half)), high: Math.min(100, 100 * (difference + half)) },
  };
}

/** Percentile by linear interpolation between closest ranks (Hyndman & Fan type 7, as Excel/NumPy). */
export function percentile(sortedValues: readonly number[], p: number): number | null {
  const n = sortedValues.length;
  if (n === 0) return null;
  const position = (n - 1) * p;
  const lower = Math.floor(position);
  const fraction = position - lower;
  const low = sortedValues[lower]!;
  return fraction === 0 ? low : low + fraction * (sortedValues[lower + 1]! - low);
}

/** Mid-rank percentile of `value` among `values`: (below + 0.5 × equal) / N × 100. */
export function percentileRank(values: readonly number[], value: number): number | null {
  if (values.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < value) below++;
    else if (v === value) equal++;
  }
  return ((below + 0.5 * equal) / values.length) * 100;
}

export interface Correlation {
  n: number;
  r: number;
  /** Fisher z 95% interval; null when n ≤ 3. */
  interval: Interval | null;
}

/** Pearson correlation of paired values; null when undefined (n < 3 or no variation). */
export function pearson(xs: readonly number[], ys: readonly number[]): Correlation | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // No variation is decided on the values, not on sxx/syy: the mean of n equal doubles can be off by
  // an ulp, leaving a rounding-noise sxx > 0 and a spurious r (0, ±1, anything) for a constant series.
  if (sxx === 0 || syy === 0 || isConstant(xs, n) || isConstant(ys, n)) return null;
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  if (n <= 3) return { n, r, interval: null };
  // r is already within [−1, 1]; at ±1, atanh is ±∞ and tanh brings the interval back to [r, r]. (A
  // clamp to ±0.9999999 here made the interval of a perfect correlation exclude r itself.)
  const z = Math.atanh(r);
  const half = Z95 / Math.sqrt(n - 3);
  return { n, r, interval: { low: Math.tanh(z - half), high: Math.tanh(z + half) } };
}

function isConstant(values: readonly number[], n: number): boolean {
  for (let i = 1; i < n; i++) if (values[i] !== values[0]) return false;
  return true;
}
