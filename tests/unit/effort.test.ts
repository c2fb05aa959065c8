/**
 * The Customer Effort Score's registry entry at work in pure code: lower is better for targets, its
 * value from rollup totals, and the pool generating it without a hand-written draw.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_POOL_SEED, generateOrganization } from '../../db/pool/generate.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, MEASURE_RANGES, MEASURES } from '../../worker/domain/measure-registry.ts';
import { benchmarkMinimum, measureValue } from '../../worker/domain/measures.ts';
import { sideOf } from '../../worker/domain/target-crossings.ts';

describe('effort', () => {
  test('is a measure on a 1-7 scale, benchmarked from 30 ratings that score it', () => {
    expect(MEASURES).toContain('effort');
    expect(MEASURE_RANGES.effort).toEqual({ min: 1, max: 7 });
    expect(benchmarkMinimum('effort')).toEqual({ answers: 30, of: 'external ratings scoring effort' });
  });

  test('meets a target at or below it: less effort is better', () => {
    expect(sideOf('effort', 2, 2.5)).toBe('met');
    expect(sideOf('effort', 2.5, 2.5)).toBe('met');
    expect(sideOf('effort', 3, 2.5)).toBe('unmet');
  });

  test('is the mean of the ratings that score it', () => {
    const totals = { ...EMPTY_EXTERNAL_TOTALS, ratings: 5, effortN: 2, effortSum: 6, effortSumSq: 20 };
    expect(measureValue('effort', totals, EMPTY_INTERNAL_TOTALS)).toBe(3);
    expect(measureValue('effort', EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS)).toBeNull();
  });

  test('the pool generates it within 1-7, sometimes missing, lower where clients were satisfied', () => {
    const { external } = generateOrganization(DEFAULT_POOL_SEED, 0, new Date('2026-11-23T10:00:00Z'));
    const scored = external.filter((rating) => rating.effort != null);
    expect(scored.length).toBeGreaterThan(0.5 * external.length);
    expect(scored.length).toBeLessThan(external.length);
    expect(scored.every((rating) => Number.isInteger(rating.effort) && rating.effort! >= 1 && rating.effort! <= 7)).toBe(true);
    const meanEffort = (overall: (o: number) => boolean) => {
      const values = scored.filter((rating) => overall(rating.overall)).map((rating) => rating.effort!);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    expect(meanEffort((o) => o >= 4)).toBeLessThan(meanEffort((o) => o <= 2));
  });
});
