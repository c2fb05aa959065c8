import { describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/db/rollup-totals.ts';
import { evaluateTargets, sideOf, subtreeExternal, trailingWindow } from '../../worker/domain/target-crossings.ts';

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

  test("a unit's target is judged on its subtree's external totals, never on an internal measure; the tenant-wide one on the tenant's", () => {
    const unit = '01a23df2-241b-70d9-8c07-0fa848ce3995';
    const child = '01a23df2-241b-70d9-8c07-0fa848ce3996';
    const rows = [
      { ...EMPTY_EXTERNAL_TOTALS, unitId: unit, ratings: 4, satisfied: 1 },
      { ...EMPTY_EXTERNAL_TOTALS, unitId: child, ratings: 6, satisfied: 4 },
      { ...EMPTY_EXTERNAL_TOTALS, unitId: 'elsewhere', ratings: 10, satisfied: 10 },
    ];
    const units = [{ id: unit, parentId: null }, { id: child, parentId: unit }, { id: 'elsewhere', parentId: null }];
    const internal = { ...EMPTY_INTERNAL_TOTALS, respondents: 20, willingnessSum: 80, willingnessSumSq: 330 };
    const evaluations = evaluateTargets(
      [
        { unitId: unit, measure: 'csat', target: 0.6, lastSide: 'unmet' },
        { unitId: unit, measure: 'willingness', target: 3, lastSide: 'unmet' },
        { unitId: null, measure: 'csat', target: 0.8, lastSide: 'unmet' },
      ],
      { ...EMPTY_EXTERNAL_TOTALS, ratings: 20, satisfied: 15 },
      internal,
      subtreeExternal(rows, units),
    );
    expect(evaluations).toEqual([
      // The unit and its child: 5 of 10.
      { unitId: unit, measure: 'csat', target: 0.6, value: 0.5, side: 'unmet', previousSide: 'unmet', crossed: false },
      { unitId: null, measure: 'csat', target: 0.8, value: 0.75, side: 'unmet', previousSide: 'unmet', crossed: false },
    ]);
  });
});
