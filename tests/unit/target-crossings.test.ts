import { describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/db/rollup-totals.ts';
import { evaluateTargets, sideOf, trailingWindow } from '../../worker/domain/target-crossings.ts';

describe('target crossings', () => {
  test('a target is met at or above it, or at or below it where less is better', () => {
    expect(sideOf('csat', 0.8, 0.8)).toBe('met');
    expect(sideOf('csat', 0.79, 0.8)).toBe('unmet');
    expect(sideOf('attitudeBlameShare', 0.3, 0.4)).toBe('met');
    expect(sideOf('attitudeBlameShare', 0.5, 0.4)).toBe('unmet');
  });

  test('the window is the last 30 UTC days, today included', () => {
    expect(trailingWindow(new Date('2026-11-23T02:15:00Z'))).toEqual({ start: '2026-10-25', end: '2026-11-24' });
  });

  test('the first evaluation is a baseline; a change of side is a crossing; no value, no evaluation', () => {
    const external = { ...EMPTY_EXTERNAL_TOTALS, ratings: 10, satisfied: 9 };
    const [first] = evaluateTargets([{ measure: 'csat', target: 0.8, lastSide: null }], external, EMPTY_INTERNAL_TOTALS);
    expect(first).toMatchObject({ side: 'met', crossed: false });
    expect(evaluateTargets([{ measure: 'csat', target: 0.8, lastSide: 'unmet' }], external, EMPTY_INTERNAL_TOTALS)[0]).toMatchObject({ crossed: true });
    expect(evaluateTargets([{ measure: 'csat', target: 0.8, lastSide: 'met' }], external, EMPTY_INTERNAL_TOTALS)[0]).toMatchObject({ crossed: false });
    // Fewer than 5 internal respondents: never evaluated (privacy threshold).
    const few = { ...EMPTY_INTERNAL_TOTALS, respondents: 4, willingnessSum: 20, willingnessSumSq: 100 };
    expect(evaluateTargets([{ measure: 'willingness', target: 3, lastSide: 'unmet' }], EMPTY_EXTERNAL_TOTALS, few)).toEqual([]);
  });

  test("a unit's target is not judged on the tenant's totals; the tenant-wide one of the same measure is", () => {
    const external = { ...EMPTY_EXTERNAL_TOTALS, ratings: 10, satisfied: 9 };
    const evaluations = evaluateTargets(
      [
        { unitId: '01a23df2-241b-70d9-8c07-0fa848ce3995', measure: 'csat', target: 0.95, lastSide: 'met' },
        { unitId: null, measure: 'csat', target: 0.8, lastSide: 'unmet' },
      ],
      external,
      EMPTY_INTERNAL_TOTALS,
    );
    expect(evaluations).toEqual([expect.objectContaining({ measure: 'csat', target: 0.8, side: 'met', crossed: true })]);
  });
});
