import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { readHeatmap } from '../../db/heatmap.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals } from '../../db/rollup-totals.ts';
import { cohortValueOf } from '../../domain/benchmarks.ts';
import { heatmapChartInput, renderHeatmapChart } from '../../domain/charts/heatmap.ts';
import { type DisclosurePeriod, monthStart } from '../../domain/disclosure.ts';
import { cohortMedians, HEATMAP_MEASURES, heatmapCells } from '../../domain/heatmap.ts';
import { measureEntry } from '../../domain/measure-registry.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { requestedPeriod } from '../diagnostics/handlers.ts';
import type { GetHeatmapChartRoute, GetHeatmapRoute } from './routes.ts';
import type { Heatmap, HeatmapQuery } from './schemas.ts';

const MONTHS: Record<DisclosurePeriod['kind'], number> = { month: 1, quarter: 3, rolling12: 12 };

/** The period of the same kind just before `period`: what each cell's change is taken against. */
function previousOf(period: DisclosurePeriod): DisclosurePeriod {
  return { kind: period.kind, from: monthStart(new Date(`${period.from}T00:00:00Z`), -MONTHS[period.kind]), to: period.from };
}

const byUnit = <T extends { unitId?: string }>(rows: readonly T[]) => new Map(rows.map((row) => [row.unitId!, row]));

async function heatmapOf(c: Context<AppEnv>, query: HeatmapQuery): Promise<Heatmap> {
  const now = new Date();
  const period = requestedPeriod(query, now);
  const previous = previousOf(period);
  const principal = tenantOf(c.get('principal'));
  const read = await readHeatmap(
    c.get('db'),
    principal.tenant.id,
    { period, previous, cohortKind: query.cohort, page: { limit: query.limit, after: decodeCursor(query.cursor) } },
    now,
  );
  // The tenant row came with the batch (its authentication): its cohorts are known only now.
  const cohortValue = cohortValueOf({ tenantId: principal.tenant.id, industry: principal.tenant.industry, sizeBand: principal.tenant.sizeBand, region: principal.tenant.region }, query.cohort);
  const medians = cohortMedians(read.snapshot !== undefined, read.positions, read.stats, cohortValue);
  const totals = (external: Map<string, ExternalTotals>, internal: Map<string, InternalTotals>, unitId: string) => ({
    external: external.get(unitId) ?? EMPTY_EXTERNAL_TOTALS,
    internal: internal.get(unitId) ?? EMPTY_INTERNAL_TOTALS,
  });
  const [externalNow, externalBefore] = [byUnit(read.external.current), byUnit(read.external.previous)];
  const [internalNow, internalBefore] = [byUnit(read.internal.current), byUnit(read.internal.previous)];
  const withheldIn = (p: DisclosurePeriod, unitId: string) => {
    const decision = read.disclosure.decide({ period: p, unitId });
    return decision.published ? undefined : decision.reason;
  };
  const page = toPage(c, read.units, query.limit, (unit) => ({
    unit: { id: unit.id, name: unit.name, kind: unit.kind, parentId: unit.parentId, archived: unit.archivedAt !== null },
    cells: heatmapCells(
      totals(externalNow, internalNow, unit.id),
      totals(externalBefore, internalBefore, unit.id),
      { current: withheldIn(period, unit.id), previous: withheldIn(previous, unit.id) },
      medians,
    ),
  }));
  const targets = new Map(read.targets.map((row) => [row.measure, row.target]));
  return {
    period: { kind: period.kind, from: period.from, to: period.to },
    previous: { from: previous.from, to: previous.to },
    cohort: { kind: query.cohort, value: query.cohort === 'all' ? null : cohortValue },
    benchmark: read.snapshot ? { snapshotId: read.snapshot.id, computedAt: read.snapshot.computedAt.toISOString() } : null,
    measures: HEATMAP_MEASURES.map((measure) => ({ measure, title: measureEntry(measure).title, direction: measureEntry(measure).direction, target: targets.get(measure) ?? null })),
    ...page,
  };
}

export const getHeatmap: RouteHandler<GetHeatmapRoute, AppEnv> = async (c) => c.json(await heatmapOf(c, c.req.valid('query')), 200);

export const getHeatmapChart: RouteHandler<GetHeatmapChartRoute, AppEnv> = async (c) => {
  const svg = renderHeatmapChart(heatmapChartInput(await heatmapOf(c, c.req.valid('query'))));
  return c.body(svg, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
};
