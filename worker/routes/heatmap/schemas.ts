import { z } from '@hono/zod-openapi';
import { COHORT_KINDS, PERIOD_KINDS, UNIT_KINDS } from '../../../db/schema.ts';
import { WITHHELD_REASONS } from '../../domain/disclosure.ts';
import { HEATMAP_MEASURES, MEDIAN_REASONS } from '../../domain/heatmap.ts';
import { MEASURES, type Measure } from '../../domain/measure-registry.ts';
import { pageQuerySchema } from '../../http/pagination.ts';
import { integer, isoDate, timestamp, uuid } from '../../http/schemas.ts';

export const HeatmapQuerySchema = pageQuerySchema({ max: 100, fallback: 50 }).extend({
  from: isoDate().optional().openapi({
    description: 'First day (UTC) of a month, inclusive; with `to`, one calendar month, quarter or 12 whole months. Default: the last complete quarter.',
    example: '2026-10-01',
  }),
  to: isoDate().optional().openapi({ description: 'First day (UTC) of the month after the period, exclusive. Default: the end of the last complete quarter.', example: '2026-11-01' }),
  cohort: z.enum(COHORT_KINDS).default('all').openapi({ description: "The peers whose median each cell is compared with: everyone, or the caller's own industry, size band or region." }),
});

const interval = z.object({ low: z.number(), high: z.number() });

export const HeatmapCellSchema = z
  .object({
    value: z.number().nullable().openapi({ description: "The unit's figure, as the scorecard gives it for `unitId` (the unit and those below it); null when nobody answered or when `withheld`, never 0." }),
    n: integer().nullable().openapi({ description: 'Answers it is made of; null when withheld.' }),
    withheld: z.enum(WITHHELD_REASONS).nullable().openapi({
      description:
        'Why an internal figure is not shown (the scorecard’s disclosure rule): `too-few-respondents` (1-4), `complementary` (it would reveal ' +
        'such a group by subtraction from published figures), `period-open` (the period has not ended). null: shown.',
    }),
    change: z
      .object({
        difference: z.number().openapi({ description: 'value − the previous period’s value.' }),
        interval: interval.openapi({ description: '95% interval of the difference.' }),
        significant: z.boolean().openapi({ description: 'p < 0.05, two-sided.' }),
        test: z.enum(['welch-t', 'two-proportion-z', 'net-score-z']),
        pValue: z.number(),
      })
      .nullable()
      .openapi({ description: 'Against the previous period of the same length, as the scorecard’s `change`; null when either has no figure or is withheld.' }),
    cohort: z
      .object({
        median: z.number().nullable().openapi({ description: "The cohort's median in the benchmark snapshot of this period." }),
        difference: z.number().nullable().openapi({ description: 'value − median.' }),
        reason: z.enum(MEDIAN_REASONS).nullable().openapi({
          description:
            'Why `difference` is null: `no-snapshot` (no benchmark computed for this period), `not-counted` (give to get: the tenant’s own ' +
            'value did not count in the snapshot’s cohort), `cohort-changed` (the snapshot counted the tenant in another cohort), `no-value`.',
        }),
      })
      .openapi('HeatmapCohortMedian'),
  })
  .openapi('HeatmapCell');

const cellsSchema = z.object(Object.fromEntries(HEATMAP_MEASURES.map((measure) => [measure, HeatmapCellSchema])) as Record<Measure, typeof HeatmapCellSchema>);

export const HeatmapRowSchema = z
  .object({
    unit: z.object({ id: uuid(), name: z.string(), kind: z.enum(UNIT_KINDS), parentId: uuid().nullable(), archived: z.boolean() }),
    cells: cellsSchema,
  })
  .openapi('HeatmapRow');

export const HeatmapSchema = z
  .object({
    period: z.object({ kind: z.enum(PERIOD_KINDS), from: isoDate(), to: isoDate().openapi({ description: 'Exclusive.' }) }),
    previous: z.object({ from: isoDate(), to: isoDate() }).openapi({ description: 'The period each `change` is taken against.' }),
    cohort: z.object({ kind: z.enum(COHORT_KINDS), value: z.string().nullable().openapi({ description: "The caller's industry, size band or region; null for all." }) }),
    benchmark: z
      .object({ snapshotId: uuid(), computedAt: timestamp })
      .nullable()
      .openapi({ description: 'The benchmark snapshot of exactly this period the medians come from; null when none was computed.' }),
    measures: z
      .array(
        z.object({
          measure: z.enum(MEASURES),
          title: z.string(),
          direction: z.enum(['higher', 'lower']),
          target: z.number().nullable().openapi({ description: "The tenant's target, if any." }),
        }),
      )
      .openapi({ description: 'The columns, in the order of each row’s `cells`.' }),
    data: z.array(HeatmapRowSchema).openapi({ description: 'A page of units, the newest first.' }),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page of units; null on the last.' }),
  })
  .openapi('Heatmap');

export type HeatmapQuery = z.infer<typeof HeatmapQuerySchema>;
export type Heatmap = z.infer<typeof HeatmapSchema>;
