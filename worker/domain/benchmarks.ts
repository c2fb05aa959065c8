import { COHORT_KINDS, PERIOD_KINDS } from '../../db/schema.ts';
import { type ExternalTotals, type InternalTotals, MEASURES, measureEntry } from './measure-registry.ts';
import { drawLabel, type NoiseKey, perturb, uniformDraw } from './benchmark-noise.ts';
import { benchmarkMinimum, benchmarkValue, MIN_BENCHMARK_COHORT, type Measure, measureAnswers } from './measures.ts';
import { percentile } from './statistics.ts';

/*
 * The benchmark computation, pure: from each participant's period totals to cohort distributions
 * and positions. O(participants × measures × cohorts · log n), so the job stays within a Worker's CPU.
 * Distributions are computed from perturbed values (benchmark-noise.ts), never from true ones.
 */

export type PeriodKind = (typeof PERIOD_KINDS)[number];
export type CohortKind = (typeof COHORT_KINDS)[number];

export interface Period {
  kind: PeriodKind;
  /** 'YYYY-MM-DD', inclusive. */
  start: string;
  /** 'YYYY-MM-DD', exclusive. */
  end: string;
}

const day = (year: number, monthIndex: number) => new Date(Date.UTC(year, monthIndex, 1)).toISOString().slice(0, 10);

export const LENGTH_IN_MONTHS: Record<PeriodKind, number> = { month: 1, quarter: 3, rolling12: 12 };

/** The last month, quarter or 12 whole months (UTC) that ended at or before `now`. */
export function lastCompletePeriod(kind: PeriodKind, now: Date): Period {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  // The current period starts here; the complete one is the period before it (12 months: the 12 before this one).
  const currentStart = kind === 'quarter' ? month - (month % 3) : month;
  return { kind, start: day(year, currentStart - LENGTH_IN_MONTHS[kind]), end: day(year, currentStart) };
}

export function lastCompletePeriods(now: Date): Period[] {
  return PERIOD_KINDS.map((kind) => lastCompletePeriod(kind, now));
}

/** Which way is better for a measure (its registry entry). */
export const directionOf = (measure: Measure): 'higher' | 'lower' => measureEntry(measure).direction;

/** The share of peers (0-100) a value does better than, from its mid-rank ascending, whichever way the measure points. */
export const betterThan = (measure: Measure, midRank: number): number => (directionOf(measure) === 'lower' ? 100 - midRank : midRank);

/** A percentile rank as a whole percentile, 1-100. */
export const wholePercentile = (percentileRank: number): number => Math.min(100, Math.max(1, Math.round(percentileRank)));

/** Where the top 10% and top 25% of peers start: the upper quantiles, or the lower ones where less is better. */
export function topValues(measure: Measure, stat: { p10: number; p25: number; p75: number; p90: number }): { top10Percent: number; top25Percent: number } {
  return directionOf(measure) === 'lower' ? { top10Percent: stat.p10, top25Percent: stat.p25 } : { top10Percent: stat.p90, top25Percent: stat.p75 };
}

export interface Participant {
  tenantId: string;
  industry: string;
  sizeBand: string;
  region: string;
}

/** The attributes that place a tenant in benchmark cohorts. */
export const COHORT_ATTRIBUTES = ['industry', 'sizeBand', 'region'] as const;
type CohortAttributes = Pick<Participant, (typeof COHORT_ATTRIBUTES)[number]>;

/** Which cohort attributes `changes` would move (a changed value, not merely a sent one). */
export function movedCohortAttributes(before: CohortAttributes, changes: Partial<CohortAttributes>): (typeof COHORT_ATTRIBUTES)[number][] {
  return COHORT_ATTRIBUTES.filter((attribute) => changes[attribute] !== undefined && changes[attribute] !== before[attribute]);
}

/** The participant's cohort of `kind`: its industry, size band or region; '' for everyone. */
export function cohortValueOf(participant: Participant, kind: CohortKind): string {
  return kind === 'all' ? '' : participant[kind];
}

/**
 * A tenant's value of each measure it is eligible for in the period: enough of the answers the
 * measure is made of (`benchmarkMinimum`) and a defined value (`benchmarkValue`).
 */
export function eligibleValues(external: ExternalTotals, internal: InternalTotals): Partial<Record<Measure, number>> {
  const values: Partial<Record<Measure, number>> = {};
  for (const measure of MEASURES) {
    const enough = measureAnswers(measure, external, internal) >= benchmarkMinimum(measure).answers;
    const value = enough ? benchmarkValue(measure, external, internal) : null;
    if (value !== null && Number.isFinite(value)) values[measure] = value;
  }
  return values;
}

export interface CohortStat {
  measure: Measure;
  cohortKind: CohortKind;
  cohortValue: string;
  organizations: number;
  mean: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
}

export interface Position {
  tenantId: string;
  measure: Measure;
  cohortKind: CohortKind;
  /** The cohort the tenant was in when the snapshot was computed: its rank belongs to this one only. */
  cohortValue: string;
  /** The tenant's own, true value as benchmarked (`benchmarkValue`). */
  value: number;
  /** The share of the cohort's other members it does better than (`betterThan`). */
  percentileRank: number;
}

export interface Contribution {
  participant: Participant;
  /** True values of the measures the tenant is eligible for. */
  values: Partial<Record<Measure, number>>;
  /** The same values perturbed (benchmark-noise.ts): the only form in which they reach other tenants. */
  published: Partial<Record<Measure, number>>;
}

/** The perturbed stand-ins of a tenant's values in a period (one keyed draw per measure). */
export async function publishedValues(
  key: NoiseKey,
  period: Pick<Period, 'kind' | 'start'>,
  tenantId: string,
  values: Partial<Record<Measure, number>>,
): Promise<Partial<Record<Measure, number>>> {
  const published: Partial<Record<Measure, number>> = {};
  for (const [measure, value] of Object.entries(values) as [Measure, number][]) {
    published[measure] = perturb(measure, value, await uniformDraw(key, drawLabel(period, tenantId, measure)));
  }
  return published;
}

export interface BenchmarkResult {
  /** Only cohorts of at least MIN_BENCHMARK_COHORT organizations: smaller ones are never stored. */
  stats: CohortStat[];
  /** Positions in published cohorts only, so a rank never hints at a suppressed cohort's members. */
  positions: Position[];
}

/** First index in `sorted` whose value is not below (`strict` false) or above (`strict` true) `value`. */
function bound(sorted: readonly number[], value: number, strict: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value || (strict && sorted[middle] === value)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Mid-rank percentile over sorted values, by binary search: (below + 0.5 × equal) / N × 100. */
export function sortedPercentileRank(sorted: readonly number[], value: number): number {
  const below = bound(sorted, value, false);
  const equal = bound(sorted, value, true) - below;
  return ((below + 0.5 * equal) / sorted.length) * 100;
}

/**
 * A member's mid-rank: its own true value among the other members' published values (`sorted`
 * holds every member's published value, its own `published` among them). It reveals nothing the
 * published values do not: moving its own value past a peer finds that peer's perturbed value at best.
 */
export function memberPercentileRank(sorted: readonly number[], published: number, value: number): number {
  let below = bound(sorted, value, false);
  let equal = bound(sorted, value, true) - below;
  if (published < value) below--;
  else if (published === value) equal--;
  return ((below + 0.5 * (equal + 1)) / sorted.length) * 100;
}

/** Cohort distributions from the published values only; each member's rank as `memberPercentileRank`. */
export function computeBenchmark(participants: readonly Contribution[]): BenchmarkResult {
  const stats: CohortStat[] = [];
  const positions: Position[] = [];
  for (const measure of MEASURES) {
    for (const cohortKind of COHORT_KINDS) {
      const cohorts = new Map<string, { tenantId: string; value: number; published: number }[]>();
      for (const { participant, values, published } of participants) {
        const value = values[measure];
        const stand = published[measure];
        if (value === undefined || stand === undefined) continue;
        const key = cohortValueOf(participant, cohortKind);
        const members = cohorts.get(key) ?? [];
        members.push({ tenantId: participant.tenantId, value, published: stand });
        cohorts.set(key, members);
      }
      for (const [cohortValue, members] of cohorts) {
        if (members.length < MIN_BENCHMARK_COHORT) continue;
        const sorted = members.map((member) => member.published).sort((a, b) => a - b);
        const at = (p: number) => percentile(sorted, p)!;
        stats.push({
          measure,
          cohortKind,
          cohortValue,
          organizations: sorted.length,
          mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
          p10: at(0.1),
          p25: at(0.25),
          median: at(0.5),
          p75: at(0.75),
          p90: at(0.9),
        });
        for (const { tenantId, value, published } of members) {
          positions.push({ tenantId, measure, cohortKind, cohortValue, value, percentileRank: betterThan(measure, memberPercentileRank(sorted, published, value)) });
        }
      }
    }
  }
  return { stats, positions };
}
