/**
 * Known answers of the change tests (worker/domain/change.ts), each from a published worked example.
 */
import { describe, expect, test } from 'vitest';
import { meanChange, netScoreChange, normalTwoSided, shareChange, studentTQuantile } from '../../worker/domain/change.ts';
import { meanOf } from '../../worker/domain/statistics.ts';

const estimate = (xs: number[]) => meanOf(xs.length, xs.reduce((a, b) => a + b, 0), xs.reduce((a, b) => a + b * b, 0))!;

describe('meanChange (Welch)', () => {
  test('R’s t.test worked example: t = −1.8325, df = 17.9, p = 0.08356, 95% CI −2.1469104 to 0.1469104', () => {
    // Cross Validated, "Welch's t-test confidence interval" (stats.stackexchange.com), R output of
    // t.test(c(11,9,10,11,10,12,9,11,12,9), c(11,13,10,13,12,9,11,12,12,11)).
    const got = meanChange(estimate([11, 9, 10, 11, 10, 12, 9, 11, 12, 9]), estimate([11, 13, 10, 13, 12, 9, 11, 12, 12, 11]))!;
    expect(got.difference).toBeCloseTo(-1, 12);
    expect(got.statistic).toBeCloseTo(-1.8325, 4);
    expect(got.degreesOfFreedom).toBeCloseTo(17.9, 1);
    expect(got.pValue).toBeCloseTo(0.08356, 5);
    expect(got.interval.low).toBeCloseTo(-2.1469104, 6);
    expect(got.interval.high).toBeCloseTo(0.1469104, 6);
    expect(got.significant).toBe(false);
    expect(got.test).toBe('welch-t');
  });

  test('from summary statistics: n = 20, x̄ = 100, s = 15 against n = 20, x̄ = 95, s = 20 gives t ≈ 0.895, df ≈ 35.2', () => {
    // senseofstudy.com, "Two-Sample Tests", example 4 (Welch's t from summary statistics).
    const got = meanChange({ n: 20, mean: 100, standardError: 15 / Math.sqrt(20) }, { n: 20, mean: 95, standardError: 20 / Math.sqrt(20) })!;
    expect(got.statistic).toBeCloseTo(0.895, 2); // the example rounds SE to 5.59 first
    expect(got.degreesOfFreedom).toBeCloseTo(35.2, 1);
    expect(got.significant).toBe(false);
  });

  test('Student t quantiles match the printed table (t.975: 12.706 at 1 df, 2.228 at 10, 1.960 at ∞)', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
  });

  test('a period with fewer than two answers has no standard error: no test', () => {
    expect(meanChange({ n: 1, mean: 4, standardError: null }, { n: 30, mean: 3, standardError: 0.2 })).toBeNull();
  });

  test('no spread in either period: a real difference is certain, none is not', () => {
    expect(meanChange(estimate([5, 5, 5]), estimate([4, 4, 4]))).toMatchObject({ difference: 1, significant: true, pValue: 0 });
    expect(meanChange(estimate([4, 4, 4]), estimate([4, 4]))).toMatchObject({ difference: 0, significant: false, pValue: 1 });
  });
});

describe('shareChange (two-proportion z, Newcombe interval)', () => {
  test('OpenStax worked example: 20 of 200 against 12 of 200, pooled p = 0.08, p-value = 0.1404', () => {
    // Illowsky & Dean, Collaborative Statistics (OpenStax CNX m17043), "Comparing Two Independent
    // Population Proportions", hives medication example.
    const got = shareChange({ successes: 20, n: 200 }, { successes: 12, n: 200 })!;
    expect(got.difference).toBeCloseTo(0.04, 12);
    expect(got.pValue).toBeCloseTo(0.1404, 4);
    expect(got.significant).toBe(false);
    expect(got.test).toBe('two-proportion-z');
  });

  test('Newcombe (1998) table II example (a): 56/70 − 48/80, method 10 interval 0.0524 to 0.3339', () => {
    // Newcombe RG, "Interval estimation for the difference between independent proportions:
    // comparison of eleven methods", Statistics in Medicine 17:873-890 (1998).
    const got = shareChange({ successes: 56, n: 70 }, { successes: 48, n: 80 })!;
    expect(got.interval.low).toBeCloseTo(0.0524, 4);
    expect(got.interval.high).toBeCloseTo(0.3339, 4);
    expect(got.significant).toBe(true);
  });

  test('empty periods are null; all-or-nothing in both periods is degenerate, not NaN', () => {
    expect(shareChange({ successes: 0, n: 0 }, { successes: 1, n: 2 })).toBeNull();
    const same = shareChange({ successes: 10, n: 10 }, { successes: 20, n: 20 })!;
    expect(same).toMatchObject({ difference: 0, significant: false });
    expect(Number.isFinite(same.interval.low) && Number.isFinite(same.interval.high)).toBe(true);
  });
});

describe('netScoreChange (difference of two multinomial net scores)', () => {
  test('Cross Validated worked example: p₊ = 1/2, p₀ = 1/3, p₋ = 1/6 has NPS 1/3 and per-answer variance 5/9', () => {
    // whuber, "How can I calculate margin of error in a NPS (Net Promoter Score) result?",
    // stats.stackexchange.com: Var = (1 − 1/3)²·1/2 + (1/3)²·1/3 + (1 + 1/3)²·1/6 = 5/9.
    // Against a period with no spread (all passives, variance 0), the change's SE is √(5/9 / n).
    const n = 600;
    const got = netScoreChange({ promoters: n / 2, detractors: n / 6, n }, { promoters: 0, detractors: 0, n: 50 })!;
    expect(got.difference).toBeCloseTo(100 / 3, 10);
    const se = 100 * Math.sqrt(5 / 9 / n);
    expect(got.statistic).toBeCloseTo(got.difference / se, 10);
    expect(got.interval.high - got.difference).toBeCloseTo(1.959963984540054 * se, 10);
    expect(got.significant).toBe(true);
  });

  test('significant is exactly "the interval excludes 0"', () => {
    const got = netScoreChange({ promoters: 150, detractors: 50, n: 300 }, { promoters: 120, detractors: 60, n: 300 })!;
    expect(got.significant).toBe(got.interval.low > 0 || got.interval.high < 0);
    expect(got.pValue).toBeCloseTo(normalTwoSided(got.statistic), 12);
  });
});
