import { and, desc, eq, getTableColumns, isNotNull, isNull, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { PgTable } from 'drizzle-orm/pg-core';
import { benchmarkCohortStats, benchmarkPositions, benchmarkSnapshots, externalRollups, internalRollups, tenants } from '../../db/schema.ts';
import type { CohortKind, CohortStat, Participant, Period, PeriodKind, Position } from '../domain/benchmarks.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Measure } from '../domain/measures.ts';
import type { Disclosure } from '../domain/disclosure.ts';
import { type Database, inTenant, setTenant } from './client.ts';
import { disclosureOf, disclosureQueries } from './disclosure.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals } from './rollup-totals.ts';
import { emitWebhookEvent } from './webhooks.ts';

/* Snapshot and position writes go out with no tenant set (what their policies and functions require), events with each tenant's. */

/**
 * The job's one cross-tenant read (a SECURITY DEFINER function): opted-in tenants and their cohorts,
 * a page at a time in tenant id order, so no response grows with the pool.
 */
export async function readParticipants(db: Database, page: { after?: string; limit: number }): Promise<Participant[]> {
  const result = await db.execute<{ tenant_id: string; industry: string; size_band: string; region: string }>(
    sql`select tenant_id, industry, size_band, region from benchmark_participants()
        where ${page.after ?? null}::uuid is null or tenant_id > ${page.after ?? null}::uuid order by tenant_id limit ${page.limit}`,
  );
  return result.rows.map((row) => ({ tenantId: row.tenant_id, industry: row.industry, sizeBand: row.size_band, region: row.region }));
}

export async function countParticipants(db: Database): Promise<number> {
  const result = await db.execute<{ count: number }>(sql`select count(*)::int as count from benchmark_participants()`);
  return Number(result.rows[0]!.count);
}

export interface PeriodTotals {
  external: ExternalTotals;
  internal: InternalTotals;
}

/**
 * Each tenant's totals for each period, in one statement: a SECURITY DEFINER function (migration
 * 0034) sums the rollups per tenant and period, only for the tenants the job may read (`benchmark`:
 * the opted-in; `targets`: those with targets), and only with no tenant set. A tenant it skips, or
 * one with no rollups in a period, gets zeros. Each answer row is one tenant and period, about 2 KiB
 * (every counter keyed by its column name), so callers chunk the tenants to keep the response small.
 */
export async function readPeriodTotals(
  db: Database,
  of: 'benchmark' | 'targets',
  tenantIds: readonly string[],
  periods: readonly Pick<Period, 'start' | 'end'>[],
): Promise<PeriodTotals[][]> {
  if (tenantIds.length === 0) return [];
  const fn = sql.raw(of === 'benchmark' ? 'benchmark_totals' : 'target_totals');
  const array = (items: readonly string[]) => `{${items.join(',')}}`;
  const result = await db.execute<{ tenant_id: string; period: number; external: Record<string, number> | null; internal: Record<string, number> | null }>(
    sql`select tenant_id, period, external, internal from ${fn}(${array(tenantIds)}::uuid[], ${array(periods.map((p) => p.start))}::date[], ${array(periods.map((p) => p.end))}::date[])`,
  );
  const index = new Map(tenantIds.map((tenantId, t) => [tenantId, t]));
  const totals = tenantIds.map(() => periods.map((): PeriodTotals => ({ external: EMPTY_EXTERNAL_TOTALS, internal: EMPTY_INTERNAL_TOTALS })));
  for (const row of result.rows) {
    totals[index.get(row.tenant_id)!]![row.period] = {
      external: fromColumns(externalRollups, row.external, EMPTY_EXTERNAL_TOTALS),
      internal: fromColumns(internalRollups, row.internal, EMPTY_INTERNAL_TOTALS),
    };
  }
  return totals;
}

/** Totals keyed by column name (as the function answers) to totals keyed by the rollup's property names. */
function fromColumns<T extends Record<string, number>>(table: PgTable, sums: Record<string, number> | null, empty: T): T {
  if (!sums) return empty;
  const columns = getTableColumns(table);
  return Object.fromEntries(Object.keys(empty).map((key) => [key, Number(sums[columns[key]!.name] ?? 0)])) as T;
}

export interface StagedSnapshot {
  id: string;
  period: Period;
  jobRunId: string;
}

/**
 * Deletes the staged (never published) snapshots of runs other than `jobRunId`: what a run that
 * failed or died left behind. Only the job's running run calls it, so no live run loses its rows.
 */
export function deleteAbandonedSnapshots(db: Database, jobRunId: string) {
  return db.delete(benchmarkSnapshots).where(and(isNull(benchmarkSnapshots.publishedAt), ne(benchmarkSnapshots.jobRunId, jobRunId)));
}

/** The unpublished snapshot row and its cohort stats (a few hundred rows: measures × cohorts). */
export function stageSnapshot(db: Database, snapshot: StagedSnapshot, stats: readonly CohortStat[]): BatchItem<'pg'>[] {
  const { period } = snapshot;
  const items: BatchItem<'pg'>[] = [
    db.insert(benchmarkSnapshots).values({ id: snapshot.id, periodKind: period.kind, periodStart: period.start, periodEnd: period.end, jobRunId: snapshot.jobRunId }),
  ];
  if (stats.length > 0) items.push(db.insert(benchmarkCohortStats).values(stats.map((stat) => ({ ...stat, snapshotId: snapshot.id }))));
  return items;
}

/**
 * The tenants' positions in the staged snapshot, in one statement: a SECURITY DEFINER function
 * (migration 0034) that writes only with no tenant set, only into an unpublished snapshot and only
 * for opted-in tenants. Each tenant's rows go as arrays under its id rather than six parameters a
 * row: about 3 KiB per tenant, so a chunk of tenants stays well inside the job's 1 MiB per request.
 */
export function stagePositions(db: Database, snapshotId: string, byTenant: ReadonlyMap<string, readonly Position[]>): BatchItem<'pg'>[] {
  const rows = Object.fromEntries(
    [...byTenant].map(([tenantId, positions]) => [
      tenantId,
      positions.map(({ measure, cohortKind, cohortValue, value, percentileRank }) => [measure, cohortKind, value, percentileRank, cohortValue]),
    ]),
  );
  return [db.execute(sql`select stage_benchmark_positions(${snapshotId}::uuid, ${JSON.stringify(rows)}::jsonb)`)];
}

/**
 * Publishes the staged snapshots: for each, deletes its period's published one (stats and positions
 * cascade) and marks it published. One batch, one transaction: readers see the old snapshots until it
 * commits and the new ones after, never a mix. Run again, it changes nothing.
 */
export function publishSnapshots(db: Database, snapshots: readonly StagedSnapshot[]): BatchItem<'pg'>[] {
  return snapshots.flatMap(({ id, period }) => [
    db
      .delete(benchmarkSnapshots)
      .where(
        and(
          eq(benchmarkSnapshots.periodKind, period.kind),
          eq(benchmarkSnapshots.periodStart, period.start),
          isNotNull(benchmarkSnapshots.publishedAt),
          ne(benchmarkSnapshots.id, id),
        ),
      ),
    db
      .update(benchmarkSnapshots)
      .set({ publishedAt: sql`now()` })
      .where(and(eq(benchmarkSnapshots.id, id), isNull(benchmarkSnapshots.publishedAt))),
  ]);
}

/**
 * Each tenant's `benchmark.snapshot.published` event for the published snapshot (its own cohorts
 * and ranks, nothing of any other tenant), with that tenant set; ends with no tenant set.
 */
export function emitPublishedEvents(db: Database, snapshot: { id: string; period: Period }, participants: readonly Participant[]): BatchItem<'pg'>[] {
  const items = participants.flatMap((participant) => [
    setTenant(db, participant.tenantId),
    ...emitWebhookEvent(db, { id: uuidv7(), tenantId: participant.tenantId, type: 'benchmark.snapshot.published' }, publishedData(snapshot, participant)),
  ]);
  items.push(setTenant(db, ''));
  return items;
}

/**
 * The event's data: the snapshot, the tenant's cohorts and its own value and rank in each, read
 * back from the positions the batch has just written instead of sent a second time.
 */
function publishedData(snapshot: { id: string; period: Period }, participant: Participant) {
  const { tenantId } = participant;
  const cohorts = { all: '', industry: participant.industry, sizeBand: participant.sizeBand, region: participant.region };
  return sql`select jsonb_build_object(
      'snapshotId', ${snapshot.id}::uuid, 'period', ${JSON.stringify(snapshot.period)}::jsonb, 'cohorts', ${JSON.stringify(cohorts)}::jsonb,
      'positions', coalesce((
        select jsonb_agg(jsonb_build_object('measure', measure, 'cohortKind', cohort_kind, 'cohortValue', cohort_value, 'value', value, 'percentileRank', percentile_rank)
          order by measure, cohort_kind)
        from ${benchmarkPositions} where snapshot_id = ${snapshot.id}::uuid and tenant_id = ${tenantId}::uuid), '[]'::jsonb))`;
}

export type Snapshot = typeof benchmarkSnapshots.$inferSelect;

type PositionRow = typeof benchmarkPositions.$inferSelect;

export interface BenchmarkView {
  snapshot: Snapshot;
  /** The tenant's position in the cohort of the kind asked, as the snapshot froze it (its cohort value). */
  position: PositionRow | undefined;
  /** Its position among all participants: present when it contributed the measure (and the pool was published). */
  contributed: boolean;
  /** The stat of the tenant's cohort per the snapshot (its current one when it has no position). */
  stat: typeof benchmarkCohortStats.$inferSelect | undefined;
  /** Whether the pool as a whole (cohort `all`) was published for the measure. */
  poolPublished: boolean;
  /** The disclosure decisions, when asked for (an internal measure's own value is an internal figure). */
  disclosure?: Disclosure;
}

/**
 * The latest snapshot of the period kind (by period), the tenant's own positions and the stats of
 * its cohort: one batch with the tenant set, so positions of others stay invisible.
 */
export async function readBenchmark(
  db: Database,
  query: { tenantId: string; periodKind: PeriodKind; periodStart?: string; measure: Measure; cohortKind: CohortKind },
  /** Read the disclosure decisions as of this time, in the same round trip. */
  disclosureAt?: Date,
): Promise<BenchmarkView | undefined> {
  // The tenant's current cohort, read in the batch: nothing of its row need be known before it.
  const currentValue = query.cohortKind === 'all'
    ? ''
    : sql`(select ${tenants[query.cohortKind]}::text from ${tenants} where ${tenants.id} = ${query.tenantId})`;
  const latest = sql`(${db
    .select({ id: benchmarkSnapshots.id })
    .from(benchmarkSnapshots)
    .where(
      and(
        eq(benchmarkSnapshots.periodKind, query.periodKind),
        isNotNull(benchmarkSnapshots.publishedAt),
        query.periodStart === undefined ? undefined : eq(benchmarkSnapshots.periodStart, query.periodStart),
      ),
    )
    .orderBy(desc(benchmarkSnapshots.periodStart))
    .limit(1)})`;
  const positionOf = (kind: CohortKind) =>
    and(
      eq(benchmarkPositions.snapshotId, latest),
      eq(benchmarkPositions.tenantId, query.tenantId),
      eq(benchmarkPositions.measure, query.measure),
      eq(benchmarkPositions.cohortKind, kind),
    );
  // The snapshot's cohort of the tenant when it has a position there, so a stat and a rank never mix cohorts.
  const frozenValue = sql`coalesce((${db.select({ value: benchmarkPositions.cohortValue }).from(benchmarkPositions).where(positionOf(query.cohortKind))}), ${currentValue})`;
  const statOf = (kind: CohortKind, value: SQL | string) =>
    db
      .select()
      .from(benchmarkCohortStats)
      .where(
        and(
          eq(benchmarkCohortStats.snapshotId, latest),
          eq(benchmarkCohortStats.measure, query.measure),
          eq(benchmarkCohortStats.cohortKind, kind),
          eq(benchmarkCohortStats.cohortValue, value),
        ),
      );
  const [[snapshot], [position], [inPool], [stat], [poolStat], ...disclosureRows] = await inTenant(db, query.tenantId, [
    db.select().from(benchmarkSnapshots).where(eq(benchmarkSnapshots.id, latest)),
    db.select().from(benchmarkPositions).where(positionOf(query.cohortKind)),
    db.select({ measure: benchmarkPositions.measure }).from(benchmarkPositions).where(positionOf('all')),
    statOf(query.cohortKind, frozenValue),
    statOf('all', ''),
    ...(disclosureAt ? disclosureQueries(db, query.tenantId, disclosureAt) : []),
  ]);
  if (!snapshot) return undefined;
  const view = { snapshot, position, contributed: inPool !== undefined, stat, poolPublished: poolStat !== undefined };
  return disclosureAt ? { ...view, disclosure: await disclosureOf(db, query.tenantId, disclosureAt, disclosureRows as Parameters<typeof disclosureOf>[3]) } : view;
}

/** Published snapshots, the latest computed first (one per period: publishing replaces its period's), a page at a time. */
export async function listSnapshots(db: Database, tenantId: string, query: { periodKind?: PeriodKind }, page: { limit: number; after?: string }): Promise<Snapshot[]> {
  const [rows] = await inTenant(db, tenantId, [
    db
      .select()
      .from(benchmarkSnapshots)
      .where(
        and(
          isNotNull(benchmarkSnapshots.publishedAt),
          query.periodKind === undefined ? undefined : eq(benchmarkSnapshots.periodKind, query.periodKind),
          page.after === undefined ? undefined : lt(benchmarkSnapshots.id, page.after),
        ),
      )
      .orderBy(desc(benchmarkSnapshots.id))
      .limit(page.limit + 1),
  ]);
  return rows;
}
