import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listSnapshots, readBenchmark, type Snapshot } from '../../db/benchmarks.ts';
import { benchmarkChartInput, renderBenchmarkChart } from '../../domain/benchmark-chart.ts';
import { cohortValueOf, directionOf, topValues, wholePercentile } from '../../domain/benchmarks.ts';
import { type Decision, monthStart } from '../../domain/disclosure.ts';
import { benchmarkMinimum, INTERNAL_MEASURES, MIN_BENCHMARK_COHORT } from '../../domain/measures.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { ProblemError } from '../../http/problem.ts';
import type { BenchmarkQuerySchema, GetBenchmarkChartRoute, GetBenchmarkRoute, ListBenchmarkSnapshotsRoute } from './routes.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { z } from '@hono/zod-openapi';

type Query = z.infer<typeof BenchmarkQuerySchema>;

const COHORT_NAMES = { all: 'pool', industry: 'industry', sizeBand: 'size band', region: 'region' } as const;

const withheldReason = (decision: Decision) => (decision.published ? undefined : decision.reason);

/**
 * The caller's view of the latest snapshot: aggregates of its cohort and its own row, never a peer's;
 * and its entity tag, from the snapshot (a new run is a new id) and what of the tenant the view reads.
 * Give to get: a cohort's distribution is shown only to a tenant the snapshot counted in that very
 * cohort for the measure, so its rank and the distribution always describe the same peers.
 */
async function benchmarkOf(c: Context<AppEnv>, query: Query) {
  const { tenant } = tenantOf(c.get('principal'));
  const internal = INTERNAL_MEASURES.includes(query.measure);
  const now = new Date();
  const view = await readBenchmark(
    c.get('db'),
    { tenantId: tenant.id, periodKind: query.period, ...(query.start && { periodStart: query.start }), measure: query.measure, cohortKind: query.cohort },
    internal ? now : undefined,
  );
  // The tenant row came with the batch (its authentication): known only now.
  const cohortValue = cohortValueOf({ tenantId: tenant.id, industry: tenant.industry, sizeBand: tenant.sizeBand, region: tenant.region }, query.cohort);
  if (!view) {
    throw new ProblemError(
      'notFound',
      query.start
        ? `No ${query.period} benchmark starting ${query.start} has been computed (GET /v1/benchmarks/snapshots lists those that have).`
        : `No ${query.period} benchmark has been computed yet: the benchmark job has not run for any ${query.period}.`,
    );
  }
  const { snapshot, stat, position, contributed, poolPublished, disclosure } = view;
  // The own value of an internal measure is the tenant's whole-period figure: shown only where the
  // disclosure rule publishes that cell, so it cannot be subtracted from a published neighbour.
  const withheld = disclosure
    ? withheldReason(disclosure.decide({ period: { kind: snapshot.periodKind, from: snapshot.periodStart, to: snapshot.periodEnd }, unitId: null }))
    : undefined;
  // Decisions change with the month (a period ends, a cell becomes possible), so the tag names it.
  const etag = await entityTag(c, `${tenant.id}:${snapshot.id}:${cohortValue}:${tenant.benchmarkOptIn}${internal ? `:${monthStart(now)}` : ''}`);
  const minimum = benchmarkMinimum(query.measure);
  const tooSmall = { suppressed: true as const, reason: `Fewer than ${MIN_BENCHMARK_COHORT} organizations in this cohort have enough answers; it is not published.` };
  const own = position && withheld
    ? { ranked: false as const, reason: 'withheld' as const, detail: `The anonymity rule withholds the tenant's own ${query.measure} for this period (${withheld}), so it is not shown or ranked here.` }
    : position?.cohortValue === cohortValue
    ? { ranked: true as const, value: position.value, percentileRank: position.percentileRank, percentile: wholePercentile(position.percentileRank) }
    : position
      ? {
          ranked: false as const,
          reason: 'cohortChanged' as const,
          detail: `This snapshot counted the tenant in the ${COHORT_NAMES[query.cohort]} ${position.cohortValue}; its change to ${cohortValue} takes effect at the next snapshot.`,
        }
      : contributed || !poolPublished
        ? { ranked: false as const, reason: 'cohortSuppressed' as const, detail: 'The cohort is too small to rank anyone in it.' }
        : !tenant.benchmarkOptIn
          ? { ranked: false as const, reason: 'notOptedIn' as const, detail: 'The tenant does not take part in benchmarks (benchmarkOptIn is false).' }
          : { ranked: false as const, reason: 'tooFewAnswers' as const, detail: `Fewer than ${minimum.answers} ${minimum.of} in the period (or opted in after it was computed).` };
  // A tenant whose own value is withheld still gave: it sees its cohort.
  const distribution = (own.ranked || (own.reason === 'withheld' && position?.cohortValue === cohortValue)) && stat
    ? {
        suppressed: false as const,
        organizations: stat.organizations,
        mean: stat.mean,
        p10: stat.p10,
        p25: stat.p25,
        median: stat.median,
        p75: stat.p75,
        p90: stat.p90,
        ...topValues(query.measure, stat),
      }
    : own.reason === 'cohortSuppressed'
      ? tooSmall
      : {
          suppressed: true as const,
          reason:
            own.reason === 'cohortChanged'
              ? `Give to get: this snapshot did not count the tenant in this cohort, so it does not see the cohort's distribution. ${own.detail}`
              : `Give to get: peers' distributions are shown only to tenants whose own ${query.measure} counts in the snapshot, and this tenant's does not (${own.reason}).`,
        };
  const benchmark = {
    measure: query.measure,
    direction: directionOf(query.measure),
    cohort: { kind: query.cohort, value: query.cohort === 'all' ? null : cohortValue },
    period: { kind: snapshot.periodKind, start: snapshot.periodStart, end: snapshot.periodEnd },
    computedAt: snapshot.computedAt.toISOString(),
    distribution,
    own,
  };
  return { etag, benchmark };
}

export const getBenchmark: RouteHandler<GetBenchmarkRoute, AppEnv> = async (c) => {
  const { etag, benchmark } = await benchmarkOf(c, c.req.valid('query'));
  if (ifNoneMatch(c, etag)) return notModified(c, etag);
  return c.json(benchmark, 200, conditionalHeaders(etag));
};

export const getBenchmarkChart: RouteHandler<GetBenchmarkChartRoute, AppEnv> = async (c) => {
  const { etag, benchmark } = await benchmarkOf(c, c.req.valid('query'));
  if (ifNoneMatch(c, etag)) return notModified(c, etag);
  const svg = renderBenchmarkChart(benchmarkChartInput(benchmark));
  return c.body(svg, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', ...conditionalHeaders(etag) });
};

const snapshotResource = (snapshot: Snapshot) => ({
  id: snapshot.id,
  period: { kind: snapshot.periodKind, start: snapshot.periodStart, end: snapshot.periodEnd },
  computedAt: snapshot.computedAt.toISOString(),
});

export const listBenchmarkSnapshots: RouteHandler<ListBenchmarkSnapshotsRoute, AppEnv> = async (c) => {
  const { limit, cursor, period } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await listSnapshots(c.get('db'), tenant.id, { ...(period && { periodKind: period }) }, { limit, ...(cursor && { after: decodeCursor(cursor) }) });
  return c.json(toPage(c, rows, limit, snapshotResource), 200);
};
