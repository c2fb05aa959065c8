import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { readBenchmark } from '../../db/benchmarks.ts';
import { benchmarkChartInput, renderBenchmarkChart } from '../../domain/benchmark-chart.ts';
import { cohortValueOf } from '../../domain/benchmarks.ts';
import { benchmarkMinimum, MIN_BENCHMARK_COHORT } from '../../domain/measures.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { ProblemError } from '../../http/problem.ts';
import type { BenchmarkQuerySchema, GetBenchmarkChartRoute, GetBenchmarkRoute } from './routes.ts';
import type { z } from '@hono/zod-openapi';

type Query = z.infer<typeof BenchmarkQuerySchema>;

const COHORT_NAMES = { all: 'pool', industry: 'industry', sizeBand: 'size band', region: 'region' } as const;

/**
 * The caller's view of the latest snapshot: aggregates of its cohort and its own row, never a peer's;
 * and its entity tag, from the snapshot (a new run is a new id) and what of the tenant the view reads.
 * Give to get: a cohort's distribution is shown only to a tenant the snapshot counted in that very
 * cohort for the measure, so its rank and the distribution always describe the same peers.
 */
async function benchmarkOf(c: Context<AppEnv>, query: Query) {
  const { tenant } = tenantOf(c.get('principal'));
  const cohortValue = cohortValueOf({ tenantId: tenant.id, industry: tenant.industry, sizeBand: tenant.sizeBand, region: tenant.region }, query.cohort);
  const view = await readBenchmark(c.get('db'), {
    tenantId: tenant.id,
    periodKind: query.period,
    measure: query.measure,
    cohortKind: query.cohort,
    cohortValue,
  });
  if (!view) {
    throw new ProblemError('notFound', `No ${query.period} benchmark has been computed yet: the benchmark job has not run for any ${query.period}.`);
  }
  const { snapshot, stat, position, contributed, poolPublished } = view;
  const etag = await entityTag(c, `${tenant.id}:${snapshot.id}:${cohortValue}:${tenant.benchmarkOptIn}`);
  const minimum = benchmarkMinimum(query.measure);
  const tooSmall = { suppressed: true as const, reason: `Fewer than ${MIN_BENCHMARK_COHORT} organizations in this cohort have enough answers; it is not published.` };
  const own = position?.cohortValue === cohortValue
    ? { ranked: true as const, value: position.value, percentileRank: position.percentileRank }
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
  const distribution = own.ranked && stat
    ? { suppressed: false as const, organizations: stat.organizations, mean: stat.mean, p10: stat.p10, p25: stat.p25, median: stat.median, p75: stat.p75, p90: stat.p90 }
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
