/**
 * The unit heatmap (issue 17 item 3): units × measures for one whole period, each cell the figure the
 * scorecard gives for that unit's subtree, its change against the previous period (./change.ts, as the
 * scorecard), and its distance from the tenant's cohort median in the benchmark snapshot of the period.
 * Pure: totals, disclosure decisions and benchmark rows in, cells out.
 */
import { LENGTH_IN_MONTHS } from './benchmarks.ts';
import { changeOf, type ChangeTest } from './change.ts';
import { type DisclosurePeriod, monthStart, type WithheldReason } from './disclosure.ts';
import { type ExternalTotals, type InternalTotals, type Measure, measureEntry, scorecardMeasures } from './measure-registry.ts';
import { measureAnswers, measureEstimate, pointOf } from './measures.ts';
import type { Interval } from './statistics.ts';

/** The scorecard's measures, clients' first: the heatmap's columns. */
export const HEATMAP_MEASURES: readonly Measure[] = [...scorecardMeasures('external'), ...scorecardMeasures('internal')];

/** The period of the same kind just before `period`: what each cell's change is taken against. */
export function previousPeriod(period: DisclosurePeriod): DisclosurePeriod {
  return { kind: period.kind, from: monthStart(new Date(`${period.from}T00:00:00Z`), -LENGTH_IN_MONTHS[period.kind]), to: period.from };
}

/**
 * Why a cell has no distance from the cohort median: `no-snapshot`: no benchmark was computed for this
 * very period; `not-counted`: give to get, the tenant's own value of the measure did not count in the
 * snapshot's cohort (not opted in, too few answers, or the cohort too small to publish);
 * `cohort-changed`: the snapshot counted the tenant in another cohort of this kind; `no-value`: the
 * cell itself has no value.
 */
export const MEDIAN_REASONS = ['no-snapshot', 'not-counted', 'cohort-changed', 'no-value'] as const;
export type MedianReason = (typeof MEDIAN_REASONS)[number];

export type CohortMedian = { median: number; reason?: undefined } | { median?: undefined; reason: Exclude<MedianReason, 'no-value'> };

export interface HeatmapCell {
  /** null: nobody answered (`n` 0), or withheld (`withheld` says why); never 0 in its place. */
  value: number | null;
  /** null when withheld: a count is a figure too. */
  n: number | null;
  withheld: WithheldReason | null;
  change: { difference: number; interval: Interval; significant: boolean; test: ChangeTest; pValue: number } | null;
  cohort: { median: number | null; difference: number | null; reason: MedianReason | null };
}

export interface Totals {
  external: ExternalTotals;
  internal: InternalTotals;
}

/**
 * The median of each measure a tenant may see, give to get as GET /v1/benchmarks decides: only in a
 * cohort the snapshot counted the tenant in for that measure, and only while that is still its cohort.
 */
export function cohortMedians(
  snapshot: boolean,
  positions: readonly { measure: Measure; cohortValue: string }[],
  stats: readonly { measure: Measure; cohortValue: string; median: number }[],
  currentCohortValue: string,
): Record<Measure, CohortMedian> {
  return Object.fromEntries(
    HEATMAP_MEASURES.map((measure): [Measure, CohortMedian] => {
      if (!snapshot) return [measure, { reason: 'no-snapshot' }];
      const position = positions.find((p) => p.measure === measure);
      if (!position) return [measure, { reason: 'not-counted' }];
      if (position.cohortValue !== currentCohortValue) return [measure, { reason: 'cohort-changed' }];
      // A position is written only in a published cohort, so its stat is there.
      const stat = stats.find((s) => s.measure === measure && s.cohortValue === position.cohortValue);
      return [measure, stat ? { median: stat.median } : { reason: 'not-counted' }];
    }),
  ) as Record<Measure, CohortMedian>;
}

/**
 * One unit's row of cells. `withheld` holds the disclosure rule's reasons for the unit's internal
 * figures in the period and the one before (undefined: published); external figures are never
 * withheld, as in the scorecard.
 */
export function heatmapCells(
  current: Totals,
  previous: Totals,
  withheld: { current?: WithheldReason; previous?: WithheldReason },
  medians: Record<Measure, CohortMedian>,
): Record<Measure, HeatmapCell> {
  return Object.fromEntries(
    HEATMAP_MEASURES.map((measure): [Measure, HeatmapCell] => {
      const internal = measureEntry(measure).side === 'internal';
      const hidden = internal ? withheld.current : undefined;
      const median = medians[measure];
      if (hidden) return [measure, { value: null, n: null, withheld: hidden, change: null, cohort: { median: median.median ?? null, difference: null, reason: median.reason ?? 'no-value' } }];
      const estimate = measureEstimate(measure, current.external, current.internal);
      const before = internal && withheld.previous ? null : measureEstimate(measure, previous.external, previous.internal);
      const change = estimate && before ? changeOf(estimate, before) : null;
      const value = estimate && pointOf(estimate);
      return [
        measure,
        {
          value,
          n: measureAnswers(measure, current.external, current.internal),
          withheld: null,
          change: change && { difference: change.difference, interval: change.interval, significant: change.significant, test: change.test, pValue: change.pValue },
          cohort: {
            median: median.median ?? null,
            difference: value !== null && median.median !== undefined ? value - median.median : null,
            reason: median.reason ?? (value === null ? 'no-value' : null),
          },
        },
      ];
    }),
  ) as Record<Measure, HeatmapCell>;
}
