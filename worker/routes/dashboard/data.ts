import type { z } from '@hono/zod-openapi';
import type { Context, ExecutionContext } from 'hono';
import type { Measure } from '../../domain/measures.ts';
import type { AppEnv, Env } from '../../env.ts';
import type { BenchmarkSchema } from '../benchmarks/routes.ts';
import type { DiagnosticsSchema } from '../diagnostics/schemas.ts';
import type { HeatmapSchema } from '../heatmap/schemas.ts';
import type { ScorecardSchema } from '../scorecard/schemas.ts';
import type { UnitSchema } from '../units/routes.ts';

/** The worker's own fetch: the dashboard reads through the JSON API, so every rule of the API applies as is. */
export type InternalFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** One API call the page shows a figure from: the path links to it. */
export interface ApiResult<T> {
  path: string;
  body: T | null;
  status: number;
  /** The problem's detail when the call failed. */
  problem: string | null;
}

export type Scorecard = z.infer<typeof ScorecardSchema>;
export type Diagnostics = z.infer<typeof DiagnosticsSchema>;
export type Benchmark = z.infer<typeof BenchmarkSchema>;
export type Heatmap = z.infer<typeof HeatmapSchema>;
export type Unit = z.infer<typeof UnitSchema>;

/** The four indicators and the two customer measures the dashboard leads with. */
export const HEADLINE_MEASURES = ['quality', 'quantity', 'opportunity', 'cost', 'csat', 'nps'] as const satisfies Measure[];
export const COHORTS = ['all', 'industry', 'sizeBand', 'region'] as const;
export type Cohort = (typeof COHORTS)[number];
/** Trends cover this many months, the chosen one last. */
export const TREND_MONTHS = 13;

/**
 * GET /v1/key-drivers as far as the page reads it (the route comes from the insight work; until the
 * server has it the call is a 404 and the section says so).
 */
export interface KeyDrivers {
  outcomes: Record<string, { verdict: string; drivers: { name: string; share: number; associated: boolean }[] }>;
}

export interface DashboardQuery {
  /** First day of the chosen month, YYYY-MM-DD. */
  month: string;
  unitId: string | null;
  cohort: Cohort;
}

export interface DashboardData {
  query: DashboardQuery;
  tenant: ApiResult<{ name: string }>;
  units: ApiResult<{ data: Unit[] }>;
  scorecard: ApiResult<Scorecard>;
  diagnostics: ApiResult<Diagnostics>;
  benchmarks: Record<(typeof HEADLINE_MEASURES)[number], ApiResult<Benchmark>>;
  keyDrivers: ApiResult<KeyDrivers>;
  heatmap: ApiResult<Heatmap>;
}

/** YYYY-MM-DD of the first day of the month `offset` months after the one `date` (YYYY-MM-DD) is in. */
export function addMonths(date: string, offset: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + offset, 1)).toISOString().slice(0, 10);
}

export function apiCaller(c: Context<AppEnv>, fetcher: InternalFetch, apiKey: string) {
  return async function call<T>(path: string): Promise<ApiResult<T>> {
    const headers = new Headers({ Authorization: `Bearer ${apiKey}`, Accept: 'application/json' });
    // The caller's address, so failed sign-ins count against it in the API's own limiter.
    const address = c.req.header('CF-Connecting-IP');
    if (address) headers.set('CF-Connecting-IP', address);
    const response = await fetcher(new Request(new URL(path, c.req.url), { headers }), c.env, c.executionCtx);
    const body = (await response.json().catch(() => null)) as (T & { detail?: string }) | null;
    return response.ok ? { path, body, status: response.status, problem: null } : { path, body: null, status: response.status, problem: body?.detail ?? `HTTP ${response.status}` };
  };
}

export async function loadDashboard(call: ReturnType<typeof apiCaller>, query: DashboardQuery): Promise<DashboardData> {
  const unit = query.unitId ? `&unitId=${query.unitId}` : '';
  const next = addMonths(query.month, 1);
  const [tenant, units, scorecard, diagnostics, keyDrivers, heatmap, ...benchmarks] = await Promise.all([
    call<{ name: string }>('/v1/tenant'),
    call<{ data: Unit[] }>('/v1/units?limit=100&archived=false'),
    call<Scorecard>(`/v1/scorecard?interval=month&from=${addMonths(query.month, 1 - TREND_MONTHS)}&to=${next}${unit}`),
    call<Diagnostics>(`/v1/diagnostics?from=${query.month}&to=${next}${unit}`),
    call<KeyDrivers>(`/v1/key-drivers?from=${query.month}&to=${next}`),
    call<Heatmap>(`/v1/heatmap?from=${query.month}&to=${next}&cohort=${query.cohort}&limit=100`),
    ...HEADLINE_MEASURES.map((measure) => call<Benchmark>(`/v1/benchmarks?measure=${measure}&cohort=${query.cohort}&period=month`)),
  ]);
  return {
    query,
    tenant: tenant!,
    units: units!,
    scorecard: scorecard!,
    diagnostics: diagnostics!,
    keyDrivers: keyDrivers!,
    heatmap: heatmap as ApiResult<Heatmap>,
    benchmarks: Object.fromEntries(HEADLINE_MEASURES.map((measure, i) => [measure, benchmarks[i]!])) as DashboardData['benchmarks'],
  };
}
