import { describe, expect, test } from 'vitest';
import { fitLine, latestMonth, periodSpan, type RoadInput, roadOf } from '../../worker/domain/road.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const month = (from: string, to: string, value: number | null) => (value === null ? { from, to, value, reason: 'no-data' as const } : { from, to, value });
const MONTHS = [
  month('2026-09-01', '2026-10-01', 0.6),
  month('2026-10-01', '2026-11-01', 0.65),
  month('2026-11-01', '2026-12-01', 0.7),
];
/** The scorecard's periods are the months here, unless a test says otherwise: the pace is fitted on the same values. */
const road = (input: Partial<RoadInput>) =>
  roadOf({ measure: 'csat', target: 0.8, baseline: { value: 0.6, from: '2026-08-01', to: '2026-09-01' }, deadline: '2027-03-31', points: MONTHS, monthly: input.points ?? MONTHS, now: NOW, ...input });

describe('the road travelled and the road left', () => {
  test('baseline → current → target: share travelled, road left, and the pace of the regression by the deadline', () => {
    const r = road({});
    expect(r.current).toEqual({ from: '2026-11-01', to: '2026-12-01', value: 0.7 });
    expect(r.travelled).toBeCloseTo(0.1, 12);
    expect(r.left).toBeCloseTo(0.1, 12);
    expect(r.share).toBeCloseTo(0.5, 12);
    expect(r.reached).toBe(false);
    // Baseline 0.6, then 0.6, 0.65, 0.7: about +3.5 points a month, so about 0.85 by the end of March.
    expect(r.pace).toMatchObject({ status: 'on-pace', method: 'regression', points: 4 });
    expect(r.pace.perMonth!).toBeCloseTo(0.035, 2);
    expect(r.pace.projected!).toBeGreaterThan(0.8);
    expect(r.pace.projected!).toBeLessThan(0.9);
  });

  test('too slow for the deadline is off pace, and says where the pace leads', () => {
    const r = road({ deadline: '2026-12-20' });
    expect(r.pace.status).toBe('off-pace');
    expect(r.pace.projected!).toBeLessThan(0.8);
  });

  test('baseline == target: no road to share, yet reached and nothing left', () => {
    const r = road({ target: 0.6 });
    expect(r.share).toBeNull();
    expect(r.reached).toBe(true);
    expect(r.left).toBe(0);
  });

  test('overshoot: share above 1, nothing left', () => {
    const r = road({ target: 0.65 });
    expect(r.share).toBeCloseTo(2, 12);
    expect(r.left).toBe(0);
    expect(r.reached).toBe(true);
  });

  test('going backwards: a negative share', () => {
    const r = road({ points: [month('2026-11-01', '2026-12-01', 0.5)] });
    expect(r.share).toBeCloseTo(-0.5, 12);
    expect(r.pace).toMatchObject({ status: 'off-pace', method: 'linear', points: 2 });
  });

  test('a past deadline is said so, with no projection', () => {
    expect(road({ deadline: '2026-12-03' }).pace).toMatchObject({ status: 'deadline-passed', projected: null });
    expect(road({ deadline: null }).pace).toMatchObject({ status: 'no-deadline', projected: null });
  });

  test('lower is better (effort): a fall is progress, the target is met at or below it', () => {
    const points = [month('2026-09-01', '2026-10-01', 4), month('2026-10-01', '2026-11-01', 3.5), month('2026-11-01', '2026-12-01', 3)];
    const r = roadOf({ measure: 'effort', target: 2, baseline: { value: 4.5, from: '2026-08-01', to: '2026-09-01' }, deadline: '2027-06-30', points, monthly: points, now: NOW });
    expect(r.travelled).toBeCloseTo(-1.5, 12);
    expect(r.share).toBeCloseTo(0.6, 12);
    expect(r.left).toBeCloseTo(1, 12);
    expect(r.reached).toBe(false);
    expect(r.pace.perMonth!).toBeLessThan(0);
    expect(r.pace.status).toBe('on-pace');
    // The projection stays on the measure's scale (1-7), however long the line runs.
    expect(roadOf({ measure: 'effort', target: 2, baseline: { value: 4.5, from: '2026-08-01', to: '2026-09-01' }, deadline: '2030-01-01', points, monthly: points, now: NOW }).pace.projected).toBe(1);
  });

  test('only periods after the baseline count; withheld ones are skipped and the latest reason is given when none has a value', () => {
    expect(road({ baseline: { value: 0.6, from: '2026-10-01', to: '2026-11-01' } }).pace.points).toBe(2);
    const withheld = road({ points: [month('2026-09-01', '2026-10-01', null), { from: '2026-11-01', to: '2026-12-01', value: null, reason: 'too-few-respondents' }] });
    expect(withheld).toMatchObject({ current: null, currentReason: 'too-few-respondents', share: null, left: null, reached: null });
    expect(withheld.pace.status).toBe('too-few-points');
    expect(road({ points: [] })).toMatchObject({ current: null, currentReason: 'no-periods' });
    // A value, then a withheld latest period: the value stands as current.
    expect(road({ points: [MONTHS[0]!, { from: '2026-11-01', to: '2026-12-01', value: null, reason: 'period-open' }] }).current!.value).toBe(0.6);
  });

  test('the pace is fitted on the monthly values since the baseline, not on the periods shown', () => {
    const paceOf = (points: RoadInput['points']) => road({ points, monthly: MONTHS }).pace;
    const all = paceOf(MONTHS);
    expect(paceOf([MONTHS[2]!])).toEqual(all);
    expect(paceOf([month('2026-07-01', '2026-10-01', 0.6), month('2026-10-01', '2027-01-01', 0.68)])).toEqual(all);
    expect(paceOf([])).toEqual(all);
    expect(all).toMatchObject({ method: 'regression', points: 4 });
    // Months before the baseline's end, and withheld ones, take no part.
    const before = road({ monthly: [month('2026-07-01', '2026-08-01', 0.1), ...MONTHS, { from: '2026-12-01', to: '2027-01-01', value: null, reason: 'period-open' }] }).pace;
    expect(before).toEqual(all);
  });

  test('without a baseline: the road left only', () => {
    const r = road({ baseline: null });
    expect(r).toMatchObject({ travelled: null, share: null, reached: false });
    expect(r.left).toBeCloseTo(0.1, 12);
    expect(r.pace).toMatchObject({ status: 'too-few-points', points: 0 });
  });

  test('least squares: two points give their line; vertical or single points give none', () => {
    expect(fitLine([{ x: 0, y: 1 }, { x: 2, y: 5 }])).toEqual({ slope: 2, intercept: 1 });
    expect(fitLine([{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 2 }])!.slope).toBeCloseTo(0.5, 12);
    expect(fitLine([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeNull();
    expect(fitLine([{ x: 1, y: 1 }])).toBeNull();
  });

  test('baseline periods: a month, a quarter, the latest ended month', () => {
    expect(periodSpan('2026-01')).toEqual({ kind: 'month', from: '2026-01-01', to: '2026-02-01' });
    expect(periodSpan('2026-12')).toEqual({ kind: 'month', from: '2026-12-01', to: '2027-01-01' });
    expect(periodSpan('2026-Q4')).toEqual({ kind: 'quarter', from: '2026-10-01', to: '2027-01-01' });
    expect(periodSpan('2026-13')).toBeNull();
    expect(latestMonth(new Date('2027-01-15T00:00:00Z'))).toEqual({ kind: 'month', from: '2026-12-01', to: '2027-01-01' });
  });
});
