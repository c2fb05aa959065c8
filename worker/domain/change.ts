/**
 * What really changed: a figure's change against the previous period, with its 95% interval and
 * whether it is significant at 5% (two-sided), so dashboards highlight only movements that chance
 * alone would rarely produce. The two periods are taken as independent samples. Pure: sufficient
 * statistics in (the same ones rollups keep), numbers out.
 */
import { type Interval, type MeanEstimate, type NetScore, type ShareEstimate, wilsonInterval, Z95 } from './statistics.ts';

export type ChangeTest = 'welch-t' | 'two-proportion-z' | 'net-score-z';

export interface Change {
  /** current − previous, on the figure's own scale (mean points, share 0-1, net-score points). */
  difference: number;
  interval: Interval;
  /** p < 0.05, two-sided. */
  significant: boolean;
  test: ChangeTest;
  /** t or z. */
  statistic: number;
  pValue: number;
  /** Welch–Satterthwaite degrees of freedom; null for z tests. */
  degreesOfFreedom: number | null;
}

/**
 * Welch's t (Welch 1947) for the change of a mean, from each period's n, mean and standard error:
 * no equal-variance assumption, degrees of freedom by Welch–Satterthwaite. Null when a period has
 * fewer than two answers (no standard error). Two periods without any spread are either equal or
 * certainly different.
 */
export function meanChange(current: MeanEstimate, previous: MeanEstimate): Change | null {
  if (current.standardError === null || previous.standardError === null) return null;
  const difference = current.mean - previous.mean;
  const v1 = current.standardError ** 2;
  const v2 = previous.standardError ** 2;
  const se = Math.sqrt(v1 + v2);
  if (se === 0) return degenerate(difference, 'welch-t');
  const df = (v1 + v2) ** 2 / (v1 ** 2 / (current.n - 1) + v2 ** 2 / (previous.n - 1));
  const t = difference / se;
  const half = studentTQuantile(0.975, df) * se;
  const pValue = studentTTwoSided(t, df);
  return { difference, interval: { low: difference - half, high: difference + half }, significant: pValue < 0.05, test: 'welch-t', statistic: t, pValue, degreesOfFreedom: df };
}

/**
 * The change of a share (CSAT, the attitude-blame share): the two-proportion z test with the pooled
 * share under the null hypothesis (as textbooks teach it) decides `significant`; the interval is
 * Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the two Wilson intervals
 * the shares already carry, which keeps its coverage near 95% at small n and near 0 or 1 where the
 * Wald interval does not.
 */
export function shareChange(current: { successes: number; n: number }, previous: { successes: number; n: number }): Change | null {
  if (current.n <= 0 || previous.n <= 0) return null;
  const p1 = current.successes / current.n;
  const p2 = previous.successes / previous.n;
  const difference = p1 - p2;
  const w1 = wilsonInterval(current.successes, current.n)!;
  const w2 = wilsonInterval(previous.successes, previous.n)!;
  const interval = {
    low: difference - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: difference + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
  const pooled = (current.successes + previous.successes) / (current.n + previous.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / current.n + 1 / previous.n));
  if (se === 0) return { ...degenerate(difference, 'two-proportion-z'), interval };
  const z = difference / se;
  const pValue = normalTwoSided(z);
  return { difference, interval, significant: pValue < 0.05, test: 'two-proportion-z', statistic: z, pValue, degreesOfFreedom: null };
}

/**
 * The change of a net score (NPS, eNPS) in points. Each period's score is p₊ − p₋ of one
 * multinomial sample, whose variance is (p₊ + p₋ − (p₊ − p₋)²) / n (not the sum of two binomial
 * variances: promoters and detractors are negatively correlated); the periods' variances add, and a
 * z test on the difference and its interval use the same standard error, so `significant` is
 * exactly "the interval excludes 0".
 */
export function netScoreChange(
  current: { promoters: number; detractors: number; n: number },
  previous: { promoters: number; detractors: number; n: number },
): Change | null {
  if (current.n <= 0 || previous.n <= 0) return null;
  const variance = ({ promoters, detractors, n }: typeof current) => {
    const plus = promoters / n;
    const minus = detractors / n;
    return Math.max(0, plus + minus - (plus - minus) ** 2) / n;
  };
  const difference = 100 * ((current.promoters - current.detractors) / current.n - (previous.promoters - previous.detractors) / previous.n);
  const se = 100 * Math.sqrt(variance(current) + variance(previous));
  if (se === 0) return degenerate(difference, 'net-score-z');
  const z = difference / se;
  const pValue = normalTwoSided(z);
  return {
    difference,
    interval: { low: difference - Z95 * se, high: difference + Z95 * se },
    significant: Math.abs(z) > Z95,
    test: 'net-score-z',
    statistic: z,
    pValue,
    degreesOfFreedom: null,
  };
}

/** The change of any figure against the previous period's, by the test that fits it (a mean, a share, a net score). */
export function changeOf(current: MeanEstimate | ShareEstimate | NetScore, previous: MeanEstimate | ShareEstimate | NetScore): Change | null {
  if ('mean' in current && 'mean' in previous) return meanChange(current, previous);
  if ('share' in current && 'share' in previous) {
    const successes = (estimate: ShareEstimate) => ({ successes: Math.round(estimate.share * estimate.n), n: estimate.n });
    return shareChange(successes(current), successes(previous));
  }
  if ('score' in current && 'score' in previous) return netScoreChange(current, previous);
  return null;
}

/** No spread in either period: a change is then certain and no change is certain too. */
function degenerate(difference: number, test: ChangeTest): Change {
  const moved = difference !== 0;
  return {
    difference,
    interval: { low: difference, high: difference },
    significant: moved,
    test,
    statistic: moved ? Math.sign(difference) * Number.MAX_VALUE : 0,
    pValue: moved ? 0 : 1,
    degreesOfFreedom: null,
  };
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function normalTwoSided(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}

/** P(|T| ≥ |t|) for Student's t with `df` (possibly fractional) degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSided(t: number, df: number): number {
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The p-quantile (p > 0.5) of Student's t, by bisection on the two-sided tail: monotone and exact to 1e-12. */
export function studentTQuantile(p: number, df: number): number {
  const tail = 2 * (1 - p);
  let low = 0;
  let high = 1;
  while (studentTTwoSided(high, df) > tail) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTTwoSided(mid, df) > tail) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Regularized incomplete beta I_x(a, b) by its continued fraction (modified Lentz; Numerical Recipes 6.4). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = g[0]!;
  for (let i = 1; i < 9; i++) sum += g[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}
