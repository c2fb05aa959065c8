import { COHORT_KINDS, MEASURES, type PERIOD_KINDS } from '../../db/schema.ts';
import type { ExternalTotals, InternalTotals } from '../db/rollup-totals.ts';
import {
  BENCHMARK_MIN_EXTERNAL,
  BENCHMARK_MIN_INTERNAL,
  INTERNAL_MEASURES,
  MIN_BENCHMARK_COHORT,
  type Measure,
  measureValue,
} from './measures.ts';
import { percentile } from './statistics.ts';

/*
 * The benchmark computation, pure: from each participant's period totals to cohort distributions
 * and positions. O(participants × measures × cohorts · log n), so the job stays within a Worker's CPU.
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

/** The last month or quarter (UTC) that ended at or before `now`. */
export function lastCompletePeriod(kind: PeriodKind, now: Date): Period {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  // The current period starts here; the complete one is the period before it.
  const currentStart = kind === 'month' ? month : month - (month % 3);
  const length = kind === 'month' ? 1 : 3;
  return { kind, start: day(year, currentStart - length), end: day(year, currentStart) };
}

export function lastCompletePeriods(now: Date): Period[] {
  return [lastCompletePeriod('month', now), lastCompletePeriod('quarter', now)];
}

export interface Participant {
  tenantId: string;
  industry: string;
  sizeBand: string;
  region: string;
}

/** The participant's cohort of `kind`: its industry, size band or region; '' for everyone. */
export function cohortValueOf(participant: Participant, kind: CohortKind): string {
  return kind === 'all' ? '' : participant[kind];
}

/**
 * A tenant's value of each measure it is eligible for in the period: enough answers (30 external
 * ratings for external measures, 10 internal respondents for internal ones) and a defined value.
 */
export function eligibleValues(external: ExternalTotals, internal: InternalTotals): Partial<Record<Measure, number>> {
  const values: Partial<Record<Measure, number>> = {};
  for (const measure of MEASURES) {
    const enough = INTERNAL_MEASURES.includes(measure)
      ? internal.respondents >= BENCHMARK_MIN_INTERNAL
      : external.ratings >= BENCHMARK_MIN_EXTERNAL;
    const value = enough ? measureValue(measure, external, internal) : null;
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
  value: number;
  percentileRank: number;
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

export function computeBenchmark(participants: readonly { participant: Participant; values: Partial<Record<Measure, number>> }[]): BenchmarkResult {
  const stats: CohortStat[] = [];
  const positions: Position[] = [];
  for (const measure of MEASURES) {
    for (const cohortKind of COHORT_KINDS) {
      const cohorts = new Map<string, { tenantId: string; value: number }[]>();
      for (const { participant, values } of participants) {
        const value = values[measure];
        if (value === undefined) continue;
        const key = cohortValueOf(participant, cohortKind);
        const members = cohorts.get(key) ?? [];
        members.push({ tenantId: participant.tenantId, value });
        cohorts.set(key, members);
      }
      for (const [cohortValue, members] of cohorts) {
        if (members.length < MIN_BENCHMARK_COHORT) continue;
        const sorted = members.map((member) => member.value).sort((a, b) => a - b);
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
        for (const { tenantId, value } of members) {
          positions.push({ tenantId, measure, cohortKind, value, percentileRank: sortedPercentileRank(sorted, value) });
        }
      }
    }
  }
  return { stats, positions };
}
