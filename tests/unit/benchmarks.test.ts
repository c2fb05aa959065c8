import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/db/rollup-totals.ts';
import {
  computeBenchmark,
  type Contribution,
  eligibleValues,
  lastCompletePeriod,
  lastCompletePeriods,
  type Participant,
  sortedPercentileRank,
} from '../../worker/domain/benchmarks.ts';
import type { Measure } from '../../worker/domain/measures.ts';
import { percentileRank } from '../../worker/domain/statistics.ts';

describe('periods', () => {
  test('the last complete month, quarter and 12 whole months, UTC, end exclusive', () => {
    expect(lastCompletePeriods(new Date('2026-11-15T10:00:00Z'))).toEqual([
      { kind: 'month', start: '2026-10-01', end: '2026-11-01' },
      { kind: 'quarter', start: '2026-07-01', end: '2026-10-01' },
      { kind: 'rolling12', start: '2025-11-01', end: '2026-11-01' },
    ]);
    // The first instant of a month: the month just ended is complete.
    expect(lastCompletePeriod('month', new Date('2026-11-01T00:00:00Z'))).toEqual({ kind: 'month', start: '2026-10-01', end: '2026-11-01' });
    expect(lastCompletePeriod('month', new Date('2026-10-31T23:59:59.999Z')).start).toBe('2026-09-01');
  });

  test('across the year boundary', () => {
    expect(lastCompletePeriods(new Date('2027-01-10T00:00:00Z'))).toEqual([
      { kind: 'month', start: '2026-12-01', end: '2027-01-01' },
      { kind: 'quarter', start: '2026-10-01', end: '2027-01-01' },
      { kind: 'rolling12', start: '2026-01-01', end: '2027-01-01' },
    ]);
    expect(lastCompletePeriod('quarter', new Date('2027-02-28T00:00:00Z'))).toEqual({ kind: 'quarter', start: '2026-10-01', end: '2027-01-01' });
  });

  test('property: a period ends at or before now and starts one month, a quarter or 12 months earlier on a boundary', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (now) => {
        for (const period of lastCompletePeriods(now)) {
          const start = new Date(`${period.start}T00:00:00Z`);
          const end = new Date(`${period.end}T00:00:00Z`);
          expect(end.getTime()).toBeLessThanOrEqual(now.getTime());
          const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
          expect(months).toBe({ month: 1, quarter: 3, rolling12: 12 }[period.kind]);
          expect(start.getUTCDate()).toBe(1);
          if (period.kind === 'quarter') expect(start.getUTCMonth() % 3).toBe(0);
          // Complete and the latest: the next period would end after now.
          // (12 whole months slide by one month.)
          const next = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + (period.kind === 'rolling12' ? 1 : months), 1));
          expect(next.getTime()).toBeGreaterThan(now.getTime());
        }
      }),
    );
  });
});

describe('eligibleValues', () => {
  const external = (ratings: number) => ({ ...EMPTY_EXTERNAL_TOTALS, ratings, overallSum: 4 * ratings, overallSumSq: 16 * ratings, satisfied: ratings });
  const internal = (respondents: number) => ({ ...EMPTY_INTERNAL_TOTALS, respondents, willingnessSum: 3 * respondents, willingnessSumSq: 9 * respondents });

  test('30 external ratings and 10 internal respondents are the thresholds', () => {
    expect(eligibleValues(external(29), internal(9))).toEqual({});
    const values = eligibleValues(external(30), internal(10));
    expect(values.overall).toBe(4);
    expect(values.csat).toBe(1);
    expect(values.willingness).toBe(3);
    // No dissatisfied client: the blame share is undefined, so not benchmarked.
    expect(values.attitudeBlameShare).toBeUndefined();
  });

  test('each measure counts the answers it is made of', () => {
    // 30 ratings, 9 of them dissatisfied and all blaming attitude: a share of 9 answers is not benchmarked.
    const blame = (dissatisfied: number) => ({ ...external(30), dissatisfied, dissatisfiedBlamingAttitude: dissatisfied });
    expect(eligibleValues(blame(9), internal(0)).attitudeBlameShare).toBeUndefined();
    expect(eligibleValues(blame(10), internal(0)).attitudeBlameShare).toBe(0.95);
    // 30 ratings of which 29 score quality: quality does not count, csat does.
    const quality = { ...external(30), qualityN: 29, qualitySum: 29 * 4, qualitySumSq: 29 * 16 };
    expect(eligibleValues(quality, internal(0))).toMatchObject({ csat: 1 });
    expect(eligibleValues(quality, internal(0)).quality).toBeUndefined();
    expect(eligibleValues({ ...quality, qualityN: 30, qualitySum: 120, qualitySumSq: 480 }, internal(0)).quality).toBe(4);
    // eNPS counts answers with recommendEmployer, not respondents.
    const enps = (n: number) => ({ ...internal(10), recommendEmployerN: n, employerPromoters: n });
    expect(eligibleValues(external(0), enps(9)).enps).toBeUndefined();
    expect(eligibleValues(external(0), enps(10)).enps).toBe(100);
    // Leadership support is a measure of its own.
    expect(eligibleValues(external(0), { ...internal(10), leadershipSupportSum: 25, leadershipSupportSumSq: 65 }).leadershipSupport).toBe(2.5);
  });
});

const participant = (id: number, industry: string, region = 'ES'): Participant => ({ tenantId: `t${id}`, industry, sizeBand: '50-249', region });
/** A contribution published unperturbed, so the arithmetic below is checked exactly (benchmark-noise.test.ts covers the noise). */
const exact = (p: Participant, values: Partial<Record<Measure, number>>): Contribution => ({ participant: p, values, published: values });

describe('a share on few answers is benchmarked on its posterior mean', () => {
  const blame = (dissatisfied: number, blaming: number) => ({ ...EMPTY_EXTERNAL_TOTALS, ratings: 30 + dissatisfied, dissatisfied, dissatisfiedBlamingAttitude: blaming });
  const benchmarked = (dissatisfied: number, blaming: number) => eligibleValues(blame(dissatisfied, blaming), EMPTY_INTERNAL_TOTALS).attitudeBlameShare;

  test('as if it had 10 more dissatisfied clients blaming as the study found (90%)', () => {
    expect(benchmarked(10, 10)).toBe(19 / 20);
    expect(benchmarked(10, 0)).toBe(9 / 20);
    expect(benchmarked(40, 40)).toBe(49 / 50);
    expect(benchmarked(40, 28)).toBe(37 / 50);
  });

  test('never 0 or 1, more answers weigh more, and the order of raw shares at equal answers is kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 2_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const hits = Math.round(share * n);
        const value = benchmarked(n, hits)!;
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(1);
        // Between the raw share and the prior's.
        expect(value).toBeGreaterThanOrEqual(Math.min(hits / n, 0.9) - 1e-12);
        expect(value).toBeLessThanOrEqual(Math.max(hits / n, 0.9) + 1e-12);
        if (hits < n) expect(benchmarked(n, hits + 1)!).toBeGreaterThan(value);
      }),
    );
  });

  test('only measures that declare a prior: CSAT is its raw share', () => {
    const satisfied = { ...EMPTY_EXTERNAL_TOTALS, ratings: 30, satisfied: 30, overallSum: 150, overallSumSq: 750 };
    expect(eligibleValues(satisfied, EMPTY_INTERNAL_TOTALS).csat).toBe(1);
  });
});

describe('computeBenchmark', () => {
  test('hand-computed distribution and mid-rank percentiles', () => {
    // csat values 0.5, 0.6, 0.6, 0.8, 0.9, 1.0 in one region; industries split 5 / 1.
    const values = [0.5, 0.6, 0.6, 0.8, 0.9, 1.0];
    const result = computeBenchmark(values.map((csat, i) => exact(participant(i, i < 5 ? 'retail' : 'banking'), { csat })));
    const all = result.stats.find((s) => s.measure === 'csat' && s.cohortKind === 'all')!;
    expect(all.cohortValue).toBe('');
    expect(all.organizations).toBe(6);
    expect(all.mean).toBeCloseTo(4.4 / 6, 12);
    // Type 7: position (n − 1)p = 5p.
    expect(all.p10).toBeCloseTo(0.55, 12); // 0.5 + 0.5 × 0.1
    expect(all.p25).toBeCloseTo(0.6, 12); // 1.25 → 0.6 + 0.25 × 0
    expect(all.median).toBeCloseTo(0.7, 12); // 2.5 → 0.6 + 0.5 × 0.2
    expect(all.p75).toBeCloseTo(0.875, 12); // 3.75 → 0.8 + 0.75 × 0.1
    expect(all.p90).toBeCloseTo(0.95, 12); // 4.5 → 0.9 + 0.5 × 0.1
    const rank = (tenantId: string, cohortKind: string) =>
      result.positions.find((p) => p.tenantId === tenantId && p.measure === 'csat' && p.cohortKind === cohortKind)?.percentileRank;
    expect(rank('t0', 'all')).toBeCloseTo((0 + 0.5) / 6 * 100, 12);
    expect(rank('t1', 'all')).toBeCloseTo((1 + 0.5 * 2) / 6 * 100, 12);
    expect(rank('t5', 'all')).toBeCloseTo((5 + 0.5) / 6 * 100, 12);
    // Retail has 5 (published, ranks among 5); banking has 1 (neither stat nor position).
    expect(result.stats.find((s) => s.cohortKind === 'industry' && s.cohortValue === 'retail')!.organizations).toBe(5);
    expect(rank('t4', 'industry')).toBeCloseTo((4 + 0.5) / 5 * 100, 12);
    expect(result.stats.some((s) => s.cohortValue === 'banking')).toBe(false);
    expect(rank('t5', 'industry')).toBeUndefined();
    // Only csat had values.
    expect(new Set(result.stats.map((s) => s.measure))).toEqual(new Set(['csat']));
  });

  test('fewer than 5 organizations: nothing published', () => {
    const result = computeBenchmark([1, 2, 3, 4].map((nps, i) => exact(participant(i, 'retail'), { nps })));
    expect(result).toEqual({ stats: [], positions: [] });
  });

  test('property: percentiles are ordered within the range and ranks match the naive mid-rank', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 5, maxLength: 40 }), (scores) => {
        const result = computeBenchmark(scores.map((nps, i) => exact(participant(i, 'retail'), { nps })));
        const all = result.stats.find((s) => s.cohortKind === 'all')!;
        const ordered = [Math.min(...scores), all.p10, all.p25, all.median, all.p75, all.p90, Math.max(...scores)];
        for (let i = 1; i < ordered.length; i++) expect(ordered[i]!).toBeGreaterThanOrEqual(ordered[i - 1]! - 1e-9);
        for (const position of result.positions.filter((p) => p.cohortKind === 'all')) {
          expect(position.percentileRank).toBeCloseTo(percentileRank(scores, position.value)!, 9);
        }
      }),
    );
  });

  test('property: the binary-search mid-rank equals the naive one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1 }), fc.integer({ min: -1, max: 11 }), (values, value) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(sortedPercentileRank(sorted, value)).toBeCloseTo(percentileRank(values, value)!, 9);
      }),
    );
  });
});
