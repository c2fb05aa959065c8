import {
  BASE_COUNT,
  blamedColumn,
  type ExternalTotals,
  type InternalTotals,
  MEASURE_REGISTRY,
  type Measure,
  type MeasureEntry,
  type MeasureOf,
  measureEntry,
  OTHER_SCORES,
  SERVICE_COMPONENTS,
  type ServiceComponent,
  type Side,
} from './measure-registry.ts';
import { type MeanEstimate, meanOf, type NetScore, netScore, type ShareEstimate, shareOf } from './statistics.ts';

/**
 * Every measure of DOMAIN.md computed from rollup totals, as its registry entry says
 * (./measure-registry.ts): one place for scorecards, diagnostics, targets and benchmarks, so they
 * cannot define CSAT (or anything else) differently.
 */

export {
  BENCHMARK_MIN_DISSATISFIED,
  BENCHMARK_MIN_EXTERNAL,
  BENCHMARK_MIN_INTERNAL,
  MEASURE_RANGES,
  type Measure,
  type ServiceComponent,
} from './measure-registry.ts';
export const ROOT_CAUSES = ['commitments', 'internalCulture', 'empowerment', 'recognition'] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export type SupportScore = RootCause | 'leadershipSupport';

/** No internal figure for a group of fewer respondents (DOMAIN.md, privacy thresholds). */
export const MIN_GROUP_RESPONDENTS = 5;
/** A cohort is published only with at least this many organizations. */
export const MIN_BENCHMARK_COHORT = 5;
/** Measures computed from internal ratings (the rest come from external ratings). */
export const INTERNAL_MEASURES: readonly Measure[] = MEASURE_REGISTRY.filter((entry) => entry.side === 'internal').map((entry) => entry.name);

export type Estimate = MeanEstimate | ShareEstimate | NetScore;
type EstimateOfKind<K> = K extends { type: 'mean' | 'meanOfSum' } ? MeanEstimate : K extends { type: 'net' } ? NetScore : ShareEstimate;
type EstimatesOf<S extends Side> = { [E in Extract<(typeof MEASURE_REGISTRY)[number], { side: S }> as E['name']]: EstimateOfKind<E['kind']> | null };

/** Reads a rollup column by the name the registry gives it. */
const read = (totals: ExternalTotals | InternalTotals, name: string) => (totals as Record<string, number>)[name] ?? 0;

/** The estimate of one measure from its side's totals, and how many answers it is made of. */
function estimateWithAnswers(entry: MeasureEntry, totals: ExternalTotals | InternalTotals): { estimate: Estimate | null; answers: number } {
  const base = read(totals, BASE_COUNT[entry.side]);
  const { kind } = entry;
  switch (kind.type) {
    case 'mean': {
      const n = kind.optional ? read(totals, `${kind.column}N`) : base;
      return { estimate: meanOf(n, read(totals, `${kind.column}Sum`), read(totals, `${kind.column}SumSq`)), answers: n };
    }
    case 'meanOfSum': {
      // The per-rating total over k answers, so its mean and SE scale by 1/k.
      const total = meanOf(base, read(totals, `${kind.total}Sum`), read(totals, `${kind.total}SumSq`));
      const k = kind.columns.length;
      const estimate = total && { n: total.n, mean: total.mean / k, standardError: total.standardError === null ? null : total.standardError / k };
      return { estimate, answers: base };
    }
    case 'share':
      return { estimate: shareOf(read(totals, kind.count), base), answers: base };
    case 'shareAmong': {
      const among = read(totals, kind.among.name);
      return { estimate: shareOf(read(totals, kind.hits.name), among), answers: among };
    }
    case 'net': {
      const n = read(totals, kind.n);
      return { estimate: netScore(read(totals, kind.promoters), read(totals, kind.detractors), n), answers: n };
    }
  }
}

function estimatesOf<S extends Side>(side: S, totals: ExternalTotals | InternalTotals): EstimatesOf<S> {
  return Object.fromEntries(
    (MEASURE_REGISTRY as readonly MeasureEntry[]).filter((entry) => entry.side === side).map((entry) => [entry.name, estimateWithAnswers(entry, totals).estimate]),
  ) as EstimatesOf<S>;
}

const totalsOf = (measure: Measure, external: ExternalTotals, internal: InternalTotals) => (measureEntry(measure).side === 'external' ? external : internal);

/** How many answers a measure is made of: what its benchmark eligibility counts. */
export function measureAnswers(measure: Measure, external: ExternalTotals, internal: InternalTotals): number {
  return estimateWithAnswers(measureEntry(measure), totalsOf(measure, external, internal)).answers;
}

/** The answers a tenant needs in a period to count in a measure's benchmark. */
export function benchmarkMinimum(measure: Measure): { answers: number; of: string } {
  return measureEntry(measure).minimum;
}

/** Every external measure (means, CSAT, NPS, the attitude blame share: among overall ≤ 2, the share that blames attitude…). */
export type ExternalMeasures = EstimatesOf<'external'> & {
  ratings: number;
  dissatisfied: number;
  blameByComponent: Record<ServiceComponent, number>;
};

export function externalMeasures(t: ExternalTotals): ExternalMeasures {
  return {
    ratings: t.ratings,
    ...estimatesOf('external', t),
    dissatisfied: t.dissatisfied,
    blameByComponent: Object.fromEntries(SERVICE_COMPONENTS.map((component) => [component, t[blamedColumn(component)]])) as Record<ServiceComponent, number>,
  };
}

type OtherScore = keyof typeof OTHER_SCORES.internal;

/** Every internal measure (support index, willingness, eNPS…), the root causes and the triad. */
export type InternalMeasures = EstimatesOf<'internal'> &
  Record<OtherScore, MeanEstimate | null> & {
    respondents: number;
    rootCauses: Record<SupportScore, MeanEstimate | null>;
    /** The root cause (not leadership support) with the lowest mean; null without respondents. */
    weakestRootCause: RootCause | null;
    /** Share with willingness ≥ 4. */
    willingnessFavourable: ShareEstimate | null;
  };

export function internalMeasures(t: InternalTotals): InternalMeasures {
  const n = t.respondents;
  const measures = estimatesOf('internal', t);
  const others = Object.fromEntries(
    Object.keys(OTHER_SCORES.internal).map((column) => [column, meanOf(n, read(t, `${column}Sum`), read(t, `${column}SumSq`))]),
  ) as Record<OtherScore, MeanEstimate | null>;
  const rootCauses: Record<SupportScore, MeanEstimate | null> = {
    commitments: others.commitments,
    internalCulture: others.internalCulture,
    empowerment: others.empowerment,
    recognition: others.recognition,
    leadershipSupport: measures.leadershipSupport,
  };
  let weakestRootCause: RootCause | null = null;
  for (const cause of ROOT_CAUSES) {
    const mean = rootCauses[cause]?.mean;
    if (mean !== undefined && (weakestRootCause === null || mean < rootCauses[weakestRootCause]!.mean)) weakestRootCause = cause;
  }
  return {
    respondents: n,
    ...others,
    ...measures,
    rootCauses,
    weakestRootCause,
    willingnessFavourable: shareOf(t.willingnessFavourable, n),
  };
}

/** An estimate's point value in its measure's unit (means 1-5, shares 0-1, net scores −100..100). */
export const pointOf = (estimate: Estimate) => ('mean' in estimate ? estimate.mean : 'share' in estimate ? estimate.share : estimate.score);

/** The estimate of one measure from the totals of its side. */
export function measureEstimate(measure: Measure, external: ExternalTotals, internal: InternalTotals): Estimate | null {
  return estimateWithAnswers(measureEntry(measure), totalsOf(measure, external, internal)).estimate;
}

/**
 * The point value of a measure in its own unit, for targets and benchmarks; null when there is
 * nothing to measure.
 */
export function measureValue(measure: Measure, external: ExternalTotals, internal: InternalTotals): number | null {
  const estimate = measureEstimate(measure, external, internal);
  return estimate === null ? null : pointOf(estimate);
}

/**
 * The value a tenant is benchmarked on: the measure's point value, or for a share with a
 * `benchmarkPrior` its posterior mean, which a handful of answers cannot push to 0 or 1.
 */
export function benchmarkValue(measure: Measure, external: ExternalTotals, internal: InternalTotals): number | null {
  const estimate = measureEstimate(measure, external, internal);
  if (estimate === null) return null;
  const prior = measureEntry(measure).benchmarkPrior;
  if (prior === undefined || !('share' in estimate)) return pointOf(estimate);
  return (estimate.share * estimate.n + prior.share * prior.answers) / (estimate.n + prior.answers);
}

/** Each `benchmarkValue` that is a posterior mean, in words, for the API's documentation. */
export const POSTERIOR_MEANS = (MEASURE_REGISTRY as readonly MeasureEntry[])
  .flatMap(({ name, benchmarkPrior: prior, minimum }) =>
    prior ? [`for \`${name}\`, its posterior mean (hits + ${prior.share} × ${prior.answers}) / (${minimum.of} + ${prior.answers})`] : [],
  )
  .join('; ');

export type { MeasureOf };
