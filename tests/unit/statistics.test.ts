import { describe, expect, test } from 'vitest';
import { meanOf, netScore, pearson, percentile, percentileRank, shareOf, wilsonInterval } from '../../worker/domain/statistics.ts';

describe('meanOf', () => {
  test('mean and standard error from sufficient statistics (hand-computed)', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7, SE = sqrt(32/7/8) = 0.7559
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const estimate = meanOf(xs.length, xs.reduce((a, b) => a + b, 0), xs.reduce((a, b) => a + b * b, 0))!;
    expect(estimate.mean).toBe(5);
    expect(estimate.standardError).toBeCloseTo(0.755929, 6);
  });

  test('empty is null; one value has no standard error', () => {
    expect(meanOf(0, 0, 0)).toBeNull();
    expect(meanOf(1, 4, 16)).toEqual({ n: 1, mean: 4, standardError: null });
  });

  test('identical values never give a negative variance', () => {
    const n = 1000;
    expect(meanOf(n, 4.1 * n, 4.1 * 4.1 * n)!.standardError).toBeGreaterThanOrEqual(0);
  });
});

describe('wilsonInterval', () => {
  test('matches published values', () => {
    // 81 of 263: 0.2553 to 0.3662 (Newcombe 1998, example)
    const interval = wilsonInterval(81, 263)!;
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
  });

  test('stays inside [0, 1] at the extremes and is null for n = 0', () => {
    expect(wilsonInterval(0, 10)!.low).toBe(0);
    expect(wilsonInterval(10, 10)!.high).toBeCloseTo(1, 12);
    expect(wilsonInterval(10, 10)!.high).toBeLessThanOrEqual(1);
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(shareOf(3, 4)!.share).toBe(0.75);
  });
});

describe('netScore', () => {
  test('promoters minus detractors with the interval of a difference of shares', () => {
    // n = 100, 50 promoters, 20 detractors: score 30; var = (0.5 + 0.2 − 0.09) / 100 = 0.0061
    const nps = netScore(50, 20, 100)!;
    expect(nps.score).toBeCloseTo(30, 10);
    const half = 100 * 1.959963984540054 * Math.sqrt(0.0061);
    expect(nps.interval.low).toBeCloseTo(30 - half, 8);
    expect(nps.interval.high).toBeCloseTo(30 + half, 8);
  });

  test('is bounded to ±100 and null when empty', () => {
    expect(netScore(5, 0, 5)!.interval.high).toBe(100);
    expect(netScore(0, 0, 0)).toBeNull();
  });
});

describe('percentile and percentileRank', () => {
  test('type 7 interpolation', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 0.5)).toBe(5.5);
    expect(percentile(values, 0.9)).toBeCloseTo(9.1, 10);
    expect(percentile(values, 1)).toBe(10);
    expect(percentile([], 0.5)).toBeNull();
  });

  test('mid-rank: (below + 0.5 × equal) / N × 100', () => {
    expect(percentileRank([1, 2, 3, 4], 3)).toBe(62.5);
    expect(percentileRank([5, 5, 5, 5], 5)).toBe(50);
    expect(percentileRank([1, 2], 0)).toBe(0);
    expect(percentileRank([1, 2], 9)).toBe(100);
    expect(percentileRank([], 1)).toBeNull();
  });
});

describe('pearson', () => {
  test('perfect and hand-computed correlations, with a Fisher interval', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])!.r).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])!.r).toBeCloseTo(-1, 12);
    const c = pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])!;
    expect(c.r).toBeCloseTo(0.8, 12);
    expect(c.interval!.low).toBeLessThan(0.8);
    expect(c.interval!.high).toBeGreaterThan(0.8);
  });

  test('is null without enough points or without variation', () => {
    expect(pearson([1, 2], [1, 2])).toBeNull();
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});
