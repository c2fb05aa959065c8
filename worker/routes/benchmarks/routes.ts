import { createRoute, z } from '@hono/zod-openapi';
import { benchmarkChartInput, renderBenchmarkChart } from '../../domain/benchmark-chart.ts';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { COHORT_KINDS, MEASURES, PERIOD_KINDS } from '../../../db/schema.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { POSTERIOR_MEANS } from '../../domain/measures.ts';
import { BY_ID_PROBLEMS, problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { pageSchema, PageQuerySchema } from '../../http/pagination.ts';
import { integer, isoDate, timestamp } from '../../http/schemas.ts';

const tags = ['Benchmarks'];

export const BenchmarkQuerySchema = z.object({
  measure: z.enum(MEASURES).openapi({ description: 'The measure to compare.', example: 'csat' }),
  cohort: z.enum(COHORT_KINDS).default('all').openapi({
    description: "Peers: everyone, or those of the caller's own industry, size band or region.",
    example: 'industry',
  }),
  period: z.enum(PERIOD_KINDS).default('month').openapi({
    description: 'A calendar month, a quarter, or 12 whole months (`rolling12`). Without `start`, the latest complete one computed.',
  }),
  start: isoDate()
    .optional()
    .openapi({ description: 'The first day of a computed period of that kind (see `GET /v1/benchmarks/snapshots`): its snapshot rather than the latest.', example: '2026-10-01' }),
});

const DistributionSchema = z
  .union([
    z.object({
      suppressed: z.literal(false),
      organizations: integer().openapi({ description: 'Organizations in the cohort (at least 5).' }),
      mean: z.number().openapi({ description: "Every statistic is computed from the members' perturbed values (README, \"What the pool reveals\"), never their true ones." }),
      p10: z.number(),
      p25: z.number(),
      median: z.number().openapi({ description: "The peers' median." }),
      p75: z.number(),
      p90: z.number(),
      top25Percent: z.number().openapi({ description: 'Where the best quarter of peers starts: p75, or p25 where lower is better.' }),
      top10Percent: z.number().openapi({ description: 'Where the best tenth of peers starts: p90, or p10 where lower is better.' }),
    }),
    z.object({
      suppressed: z.literal(true),
      reason: z.string().openapi({ description: 'Why: the cohort is under 5 organizations, or give to get (the tenant does not count in this cohort of this snapshot).' }),
    }),
  ])
  .openapi('BenchmarkDistribution');

const OwnPositionSchema = z
  .union([
    z.object({
      ranked: z.literal(true),
      value: z.number().openapi({
        description: `The tenant's own, true value as benchmarked: ${POSTERIOR_MEANS}, so that a share of a few answers does not rank as a certain 0 or 100% (README, "What the pool reveals").`,
      }),
      percentileRank: z.number().openapi({
        description:
          "Better than this share of peers (0-100), whichever way the measure points: the mid-rank of the tenant's value among its peers' " +
          'perturbed values, (worse + ½ equal) / N × 100.',
      }),
      percentile: integer().min(1).max(100).openapi({ description: '`percentileRank` as a whole percentile, 1-100.' }),
    }),
    z.object({
      ranked: z.literal(false),
      reason: z.enum(['notOptedIn', 'tooFewAnswers', 'cohortSuppressed', 'cohortChanged', 'withheld']).openapi({
        description:
          '`cohortChanged`: the snapshot counted the tenant in another industry, size band or region; a change takes effect at the next snapshot. ' +
          "`withheld`: an internal measure's own value for the period is an internal figure the anonymity rule does not publish (it would isolate fewer than 5 respondents together with published figures); the cohort's distribution is still shown.",
      }),
      detail: z.string(),
    }),
  ])
  .openapi('BenchmarkOwnPosition');

export const BenchmarkSchema = z
  .object({
    measure: z.enum(MEASURES),
    direction: z.enum(['higher', 'lower']).openapi({ description: 'Which way is better for this measure (the attitude blame share: lower).' }),
    cohort: z.object({ kind: z.enum(COHORT_KINDS), value: z.string().nullable().openapi({ description: "The caller's industry, size band or region; null for all." }) }),
    period: z.object({ kind: z.enum(PERIOD_KINDS), start: isoDate(), end: isoDate().openapi({ description: 'Exclusive.' }) }),
    computedAt: timestamp,
    distribution: DistributionSchema,
    own: OwnPositionSchema,
  })
  .openapi('Benchmark', {
    example: {
      measure: 'csat',
      direction: 'higher',
      cohort: { kind: 'industry', value: 'insurance' },
      period: { kind: 'month', start: '2026-10-01', end: '2026-11-01' },
      computedAt: '2026-11-02T02:15:04.118Z',
      distribution: { suppressed: false, organizations: 31, mean: 0.71, p10: 0.55, p25: 0.63, median: 0.72, p75: 0.8, p90: 0.86, top25Percent: 0.8, top10Percent: 0.86 },
      own: { ranked: true, value: 0.6, percentileRank: 21, percentile: 21 },
    },
  });

const NOTE =
  'Needs `reports:read`. Only opted-in tenants with enough of the answers a measure is made of count: 30 external ratings ' +
  '(of that indicator; with `recommend` for `nps`), 10 dissatisfied ones for `attitudeBlameShare`, 10 internal ratings for ' +
  '`supportIndex`, `willingness`, `leadershipSupport` (with `recommendEmployer` for `enps`). Give to get: only a tenant the ' +
  'snapshot counted in the cohort sees its distribution. Cohorts are frozen per snapshot: a changed industry, size band or ' +
  'region counts from the next one. Distributions are computed from perturbed values, so no peer value can be recovered. ' +
  'A cohort of fewer than 5 organizations is suppressed. No snapshot yet is a 404. `direction` says which way is better; ' +
  '`own.percentileRank` always reads "better than N% of peers" (for `attitudeBlameShare`, lower values rank higher), and ' +
  '`distribution.top10Percent`/`top25Percent` name where the best tenth and quarter of peers start.';

export const getBenchmark = createRoute({
  method: 'get',
  path: '/v1/benchmarks',
  operationId: 'getBenchmark',
  summary: 'Compare a measure with peers',
  description: `The latest snapshot's cohort distribution and the caller's own value and percentile rank. ${NOTE}`,
  tags,
  ...tenantSecurity('reports:read'),
  request: { query: BenchmarkQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The benchmark.', headers: ETAG_RESPONSE_HEADERS, content: { 'application/json': { schema: BenchmarkSchema } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, BY_ID_PROBLEMS),
  },
});

/** A real chart, drawn by the code that draws every chart, so the example cannot drift from it. */
const CHART_EXAMPLE = renderBenchmarkChart(
  benchmarkChartInput({
    measure: 'csat',
    cohort: { kind: 'industry', value: 'insurance' },
    period: { start: '2026-10-01', end: '2026-11-01' },
    distribution: { suppressed: false, organizations: 15, p10: 0.52, p25: 0.61, median: 0.68, p75: 0.75, p90: 0.81 },
    own: { ranked: true, value: 0.77, percentileRank: 80 },
  }),
);

export const getBenchmarkChart = createRoute({
  method: 'get',
  path: '/v1/benchmarks/chart.svg',
  operationId: 'getBenchmarkChart',
  summary: 'Chart a benchmark as SVG',
  description: `A box and whiskers (p10–p90 whiskers, p25–p75 box, median line) with the caller's marker and percentile, 640 px wide. ${NOTE}`,
  tags,
  ...tenantSecurity('reports:read'),
  request: { query: BenchmarkQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The chart.', headers: ETAG_RESPONSE_HEADERS, content: { 'image/svg+xml': { schema: z.string(), example: CHART_EXAMPLE } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export type GetBenchmarkRoute = typeof getBenchmark;
export type GetBenchmarkChartRoute = typeof getBenchmarkChart;

const SnapshotSchema = z
  .object({
    id: z.string().uuid(),
    period: z.object({ kind: z.enum(PERIOD_KINDS), start: isoDate(), end: isoDate().openapi({ description: 'Exclusive.' }) }),
    computedAt: timestamp,
  })
  .openapi('BenchmarkSnapshot');

export const ListSnapshotsQuerySchema = PageQuerySchema.extend({
  period: z.enum(PERIOD_KINDS).optional().openapi({ description: 'Only snapshots of this kind of period.' }),
});

export const listBenchmarkSnapshots = createRoute({
  method: 'get',
  path: '/v1/benchmarks/snapshots',
  operationId: 'listBenchmarkSnapshots',
  summary: 'List the computed benchmark periods',
  description:
    'Every published snapshot, one per period (month, quarter, 12 whole months), the latest computed first. Pass a period\'s ' +
    '`kind` and `start` to `GET /v1/benchmarks` to read it. Needs `reports:read`.',
  tags,
  ...tenantSecurity('reports:read'),
  request: { query: ListSnapshotsQuerySchema },
  responses: {
    200: { description: 'A page of snapshots.', content: { 'application/json': { schema: pageSchema(SnapshotSchema, 'BenchmarkSnapshotPage') } } },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export type ListBenchmarkSnapshotsRoute = typeof listBenchmarkSnapshots;
