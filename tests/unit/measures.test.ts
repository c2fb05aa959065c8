import { describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals, sumTotals } from '../../worker/db/rollup-totals.ts';
import { externalMeasures, internalMeasures, measureValue } from '../../worker/domain/measures.ts';

// Ratings: overall 5, 4, 2, 1 (two satisfied, two dissatisfied, one of those blaming attitude);
// recommend 10, 9, 3 (two promoters, one detractor); quality 4, 2.
const external: ExternalTotals = {
  ...EMPTY_EXTERNAL_TOTALS,
  ratings: 4,
  qualityN: 2,
  qualitySum: 6,
  qualitySumSq: 20,
  overallSum: 12,
  overallSumSq: 46,
  satisfied: 2,
  dissatisfied: 2,
  dissatisfiedBlamingAttitude: 1,
  blamingAttitude: 1,
  recommendN: 3,
  promoters: 2,
  detractors: 1,
  blamedPeople: 1,
};

// Respondents: support scores (c, ic, e, r, ls) = (4,4,2,4,4) and (4,4,2,4,4): index 3.6 each;
// willingness 5 and 3; employer 9 and 6.
const internal: InternalTotals = {
  ...EMPTY_INTERNAL_TOTALS,
  respondents: 2,
  commitmentsSum: 8,
  commitmentsSumSq: 32,
  internalCultureSum: 8,
  internalCultureSumSq: 32,
  empowermentSum: 4,
  empowermentSumSq: 8,
  recognitionSum: 8,
  recognitionSumSq: 32,
  leadershipSupportSum: 8,
  leadershipSupportSumSq: 32,
  willingnessSum: 8,
  willingnessSumSq: 34,
  supportTotalSum: 36,
  supportTotalSumSq: 648,
  willingnessFavourable: 1,
  recommendEmployerN: 2,
  employerPromoters: 1,
  employerDetractors: 1,
};

describe('externalMeasures', () => {
  test('means, CSAT, NPS and the attitude blame share from totals', () => {
    const m = externalMeasures(external);
    expect(m.quality!.mean).toBe(3);
    expect(m.overall!.mean).toBe(3);
    expect(m.csat!.share).toBe(0.5);
    expect(m.nps!.score).toBeCloseTo(100 / 3, 10);
    expect(m.attitudeBlameShare!.share).toBe(0.5);
    expect(m.blameByComponent.people).toBe(1);
    expect(m.quantity).toBeNull();
  });

  test('empty totals measure nothing', () => {
    const m = externalMeasures(EMPTY_EXTERNAL_TOTALS);
    expect([m.overall, m.csat, m.nps, m.attitudeBlameShare]).toEqual([null, null, null, null]);
  });
});

describe('internalMeasures', () => {
  test('support index is the mean of five scores, the weakest root cause named', () => {
    const m = internalMeasures(internal);
    expect(m.supportIndex!.mean).toBeCloseTo(3.6, 10);
    expect(m.supportIndex!.standardError).toBe(0);
    expect(m.weakestRootCause).toBe('empowerment');
    expect(m.willingness!.mean).toBe(4);
    expect(m.willingnessFavourable!.share).toBe(0.5);
    expect(m.enps!.score).toBe(0);
  });

  test('no respondents: nothing, and no weakest cause', () => {
    const m = internalMeasures(EMPTY_INTERNAL_TOTALS);
    expect(m.supportIndex).toBeNull();
    expect(m.weakestRootCause).toBeNull();
  });
});

describe('measureValue and sumTotals', () => {
  test('each measure in its own unit', () => {
    expect(measureValue('csat', external, internal)).toBe(0.5);
    expect(measureValue('nps', external, internal)).toBeCloseTo(33.333, 3);
    expect(measureValue('supportIndex', external, internal)).toBeCloseTo(3.6, 10);
    expect(measureValue('cost', external, internal)).toBeNull();
  });

  test('totals add up column by column', () => {
    const twice = sumTotals([external, external], EMPTY_EXTERNAL_TOTALS);
    expect(twice.ratings).toBe(8);
    expect(externalMeasures(twice).csat!.share).toBe(0.5);
  });
});
