import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { heatmapVersion, readHeatmap } from '../../db/heatmap.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals } from '../../db/rollup-totals.ts';
import { cohortValueOf } from '../../domain/benchmarks.ts';
import { heatmapChartInput, renderHeatmapChart } from '../../domain/charts/heatmap.ts';
import { type DisclosurePeriod, monthStart } from '../../domain/disclosure.ts';
import { cohortMedians, HEATMAP_MEASURES, heatmapCells, previousPeriod } from '../../domain/heatmap.ts';
import { measureEntry } from '../../domain/measure-registry.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { requestedPeriod } from '../diagnostics/handlers.ts';
import type { GetHeatmapChartRoute, GetHeatmapRoute } from './routes.ts';
import type { Heatmap, HeatmapQuery } from './schemas.ts';

const byUnit = <T extends { unitId?: string }>(rows: readonly T[]) => new Map(rows.map((row) => [row.unitId!, row]));

/**
 * The heatmap page the query asks for, or only its entity tag when `If-None-Match` names it (one
 * round trip either way). The tag follows the data, the snapshot of the period, today's month (which
 * months have ended decides what is published) and the tenant's cohort.
 */
async function heatmapOf(c: Context<AppEnv>, query: HeatmapQuery): Promise<{ etag: string; heatmap?: Heatmap }> {
  const now = new Date();
  const period = requestedPeriod(query, now);
  const previous = previousPeriod(period);
  const principal = tenantOf(c.get('principal'));
  const tenantId = principal.tenant.id;
  // The tenant row comes with the first round trip (its authentication): its cohorts are known only after it.
  const cohortValue = () => cohortValueOf({ tenantId, industry: principal.tenant.industry, sizeBand: principal.tenant.sizeBand, region: principal.tenant.region }, query.cohort);
  const tagOf = (version: string) => entityTag(c, `heatmap:${tenantId}:${period.from}:${period.to}:${monthStart(now)}:${cohortValue()}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const etag = await tagOf(await heatmapVersion(c.get('db'), tenantId, period));
    if (ifNoneMatch(c, etag)) return { etag };
  }
  const read = await readHeatmap(c.get('db'), tenantId, { period, previous, cohortKind: query.cohort, page: { limit: query.limit, after: decodeCursor(query.cursor) } }, now);
  const medians = cohortMedians(read.snapshot !== undefined, read.positions, read.stats, cohortValue());
  const [externalNow, externalBefore] = [byUnit(read.external.current), byUnit(read.external.previous)];
  const [internalNow, internalBefore] = [byUnit(read.internal.current), byUnit(read.internal.previous)];
  const totals = (external: Map<string, ExternalTotals>, internal: Map<string, InternalTotals>, unitId: string) => ({
    external: external.get(unitId) ?? EMPTY_EXTERNAL_TOTALS,
    internal: internal.get(unitId) ?? EMPTY_INTERNAL_TOTALS,
  });
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
  const heatmap: Heatmap = {
    period: { kind: period.kind, from: period.from, to: period.to },
    previous: { from: previous.from, to: previous.to },
    cohort: { kind: query.cohort, value: query.cohort === 'all' ? null : cohortValue() },
    benchmark: read.snapshot ? { snapshotId: read.snapshot.id, computedAt: read.snapshot.computedAt.toISOString() } : null,
    measures: HEATMAP_MEASURES.map((measure) => ({ measure, title: measureEntry(measure).title, direction: measureEntry(measure).direction, target: targets.get(measure) ?? null })),
    ...page,
  };
  return { etag: await tagOf(read.version), heatmap };
}

export const getHeatmap: RouteHandler<GetHeatmapRoute, AppEnv> = async (c) => {
  const { etag, heatmap } = await heatmapOf(c, c.req.valid('query'));
  if (!heatmap) return notModified(c, etag);
  return c.json(heatmap, 200, conditionalHeaders(etag));
};

export const getHeatmapChart: RouteHandler<GetHeatmapChartRoute, AppEnv> = async (c) => {
  const { etag, heatmap } = await heatmapOf(c, c.req.valid('query'));
  if (!heatmap) return notModified(c, etag);
  return c.body(renderHeatmapChart(heatmapChartInput(heatmap)), 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', ...conditionalHeaders(etag) });
};
