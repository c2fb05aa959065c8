import type { MEASURES, SERVICE_COMPONENTS } from '../../db/schema.ts';
import type { ExternalTotals, InternalTotals } from '../db/rollup-totals.ts';
import { type MeanEstimate, meanOf, type NetScore, netScore, type ShareEstimate, shareOf } from './statistics.ts';

/**
 * Every measure of DOMAIN.md computed from rollup totals: one place for scorecards, diagnostics
 * and benchmarks, so the three cannot define CSAT (or anything else) differently.
 */

export type Measure = (typeof MEASURES)[number];
export type ServiceComponent = (typeof SERVICE_COMPONENTS)[number];
export const ROOT_CAUSES = ['commitments', 'internalCulture', 'empowerment', 'recognition'] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export type SupportScore = RootCause | 'leadershipSupport';

/** No internal figure for a group of fewer respondents (DOMAIN.md, privacy thresholds). */
export const MIN_GROUP_RESPONDENTS = 5;
/**
 * A tenant counts in a benchmark measure only with at least this many of the answers the measure is
 * made of in the period: external ratings (of that indicator, or with a `recommend`), internal ones,
 * or, for the attitude blame share, dissatisfied ratings (30 ratings with 2 dissatisfied put 137 of
 * 231 organizations at 100% in one month).
 */
export const BENCHMARK_MIN_EXTERNAL = 30;
export const BENCHMARK_MIN_INTERNAL = 10;
export const BENCHMARK_MIN_DISSATISFIED = 10;
/** A cohort is published only with at least this many organizations. */
export const MIN_BENCHMARK_COHORT = 5;
/** Measures computed from internal ratings (the rest come from external ratings). */
export const INTERNAL_MEASURES: readonly Measure[] = ['enps', 'supportIndex', 'willingness', 'leadershipSupport'];

/** Each measure's own scale: means of 1-5 answers, shares 0-1, net scores −100..100 (targets are checked against it; benchmark noise scales with it). */
export const MEASURE_RANGES: Record<Measure, { min: number; max: number }> = {
  quality: { min: 1, max: 5 },
  quantity: { min: 1, max: 5 },
  opportunity: { min: 1, max: 5 },
  cost: { min: 1, max: 5 },
  overall: { min: 1, max: 5 },
  supportIndex: { min: 1, max: 5 },
  willingness: { min: 1, max: 5 },
  leadershipSupport: { min: 1, max: 5 },
  csat: { min: 0, max: 1 },
  attitudeBlameShare: { min: 0, max: 1 },
  nps: { min: -100, max: 100 },
  enps: { min: -100, max: 100 },
};

/** How many answers a measure is made of: what its benchmark eligibility counts. */
export function measureAnswers(measure: Measure, external: ExternalTotals, internal: InternalTotals): number {
  switch (measure) {
    case 'quality':
    case 'quantity':
    case 'opportunity':
    case 'cost':
      return external[`${measure}N`];
    case 'overall':
    case 'csat':
      return external.ratings;
    case 'nps':
      return external.recommendN;
    case 'attitudeBlameShare':
      return external.dissatisfied;
    case 'enps':
      return internal.recommendEmployerN;
    case 'supportIndex':
    case 'willingness':
    case 'leadershipSupport':
      return internal.respondents;
  }
}

/** The answers a tenant needs in a period to count in a measure's benchmark. */
export function benchmarkMinimum(measure: Measure): { answers: number; of: string } {
  if (measure === 'attitudeBlameShare') return { answers: BENCHMARK_MIN_DISSATISFIED, of: 'dissatisfied external ratings' };
  if (measure === 'enps') return { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings with recommendEmployer' };
  if (INTERNAL_MEASURES.includes(measure)) return { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings' };
  if (measure === 'nps') return { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings with recommend' };
  if (measure === 'overall' || measure === 'csat') return { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings' };
  return { answers: BENCHMARK_MIN_EXTERNAL, of: `external ratings scoring ${measure}` };
}

const BLAME_COLUMNS: Record<ServiceComponent, keyof ExternalTotals> = {
  product: 'blamedProduct',
  procedures: 'blamedProcedures',
  facilities: 'blamedFacilities',
  'systems-equipment': 'blamedSystemsEquipment',
  information: 'blamedInformation',
  people: 'blamedPeople',
};

export interface ExternalMeasures {
  ratings: number;
  quality: MeanEstimate | null;
  quantity: MeanEstimate | null;
  opportunity: MeanEstimate | null;
  cost: MeanEstimate | null;
  overall: MeanEstimate | null;
  /** Share of overall ≥ 4. */
  csat: ShareEstimate | null;
  nps: NetScore | null;
  /** Among dissatisfied (overall ≤ 2): the share that blames attitude. */
  attitudeBlameShare: ShareEstimate | null;
  dissatisfied: number;
  blameByComponent: Record<ServiceComponent, number>;
}

export function externalMeasures(t: ExternalTotals): ExternalMeasures {
  return {
    ratings: t.ratings,
    quality: meanOf(t.qualityN, t.qualitySum, t.qualitySumSq),
    quantity: meanOf(t.quantityN, t.quantitySum, t.quantitySumSq),
    opportunity: meanOf(t.opportunityN, t.opportunitySum, t.opportunitySumSq),
    cost: meanOf(t.costN, t.costSum, t.costSumSq),
    overall: meanOf(t.ratings, t.overallSum, t.overallSumSq),
    csat: shareOf(t.satisfied, t.ratings),
    nps: netScore(t.promoters, t.detractors, t.recommendN),
    attitudeBlameShare: shareOf(t.dissatisfiedBlamingAttitude, t.dissatisfied),
    dissatisfied: t.dissatisfied,
    blameByComponent: Object.fromEntries(
      Object.entries(BLAME_COLUMNS).map(([component, column]) => [component, t[column]]),
    ) as Record<ServiceComponent, number>,
  };
}

export interface InternalMeasures {
  respondents: number;
  /** Mean of the five support scores (four root causes and leadership support), 1-5. */
  supportIndex: MeanEstimate | null;
  rootCauses: Record<SupportScore, MeanEstimate | null>;
  /** The root cause (not leadership support) with the lowest mean; null without respondents. */
  weakestRootCause: RootCause | null;
  knowledge: MeanEstimate | null;
  ability: MeanEstimate | null;
  willingness: MeanEstimate | null;
  /** Support from leaders, 1-5: a figure of its own, not only part of the index. */
  leadershipSupport: MeanEstimate | null;
  /** Share with willingness ≥ 4. */
  willingnessFavourable: ShareEstimate | null;
  enps: NetScore | null;
}

export function internalMeasures(t: InternalTotals): InternalMeasures {
  const n = t.respondents;
  const total = meanOf(n, t.supportTotalSum, t.supportTotalSumSq);
  const rootCauses: Record<SupportScore, MeanEstimate | null> = {
    commitments: meanOf(n, t.commitmentsSum, t.commitmentsSumSq),
    internalCulture: meanOf(n, t.internalCultureSum, t.internalCultureSumSq),
    empowerment: meanOf(n, t.empowermentSum, t.empowermentSumSq),
    recognition: meanOf(n, t.recognitionSum, t.recognitionSumSq),
    leadershipSupport: meanOf(n, t.leadershipSupportSum, t.leadershipSupportSumSq),
  };
  let weakestRootCause: RootCause | null = null;
  for (const cause of ROOT_CAUSES) {
    const mean = rootCauses[cause]?.mean;
    if (mean !== undefined && (weakestRootCause === null || mean < rootCauses[weakestRootCause]!.mean)) weakestRootCause = cause;
  }
  return {
    respondents: n,
    // The index is the per-respondent total over five scores, so its mean and SE scale by 1/5.
    supportIndex: total && {
      n: total.n,
      mean: total.mean / 5,
      standardError: total.standardError === null ? null : total.standardError / 5,
    },
    rootCauses,
    weakestRootCause,
    knowledge: meanOf(n, t.knowledgeSum, t.knowledgeSumSq),
    ability: meanOf(n, t.abilitySum, t.abilitySumSq),
    willingness: meanOf(n, t.willingnessSum, t.willingnessSumSq),
    leadershipSupport: rootCauses.leadershipSupport,
    willingnessFavourable: shareOf(t.willingnessFavourable, n),
    enps: netScore(t.employerPromoters, t.employerDetractors, t.recommendEmployerN),
  };
}

/**
 * The point value of a measure in its own unit (means 1-5, shares 0-1, net scores −100..100), for
 * targets and benchmarks; null when there is nothing to measure.
 */
export function measureValue(measure: Measure, external: ExternalTotals, internal: InternalTotals): number | null {
  switch (measure) {
    case 'quality':
    case 'quantity':
    case 'opportunity':
    case 'cost':
    case 'overall':
      return externalMeasures(external)[measure]?.mean ?? null;
    case 'csat':
      return externalMeasures(external).csat?.share ?? null;
    case 'nps':
      return externalMeasures(external).nps?.score ?? null;
    case 'attitudeBlameShare':
      return externalMeasures(external).attitudeBlameShare?.share ?? null;
    case 'enps':
      return internalMeasures(internal).enps?.score ?? null;
    case 'supportIndex':
      return internalMeasures(internal).supportIndex?.mean ?? null;
    case 'willingness':
      return internalMeasures(internal).willingness?.mean ?? null;
    case 'leadershipSupport':
      return internalMeasures(internal).leadershipSupport?.mean ?? null;
  }
}
