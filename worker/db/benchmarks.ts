import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { benchmarkCohortStats, benchmarkPositions, benchmarkSnapshots, jobRuns } from '../../db/schema.ts';
import type { CohortKind, CohortStat, Participant, Period, PeriodKind, Position } from '../domain/benchmarks.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Measure } from '../domain/measures.ts';
import { type Database, inTenant, setTenant } from './client.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, externalTotals, type InternalTotals, internalTotals, sumTotals } from './rollup-totals.ts';
import { emitWebhookEvent } from './webhooks.ts';

export type JobRun = typeof jobRuns.$inferSelect;

/* Job runs and snapshot writes go out with no tenant set, which is what their policies require. */

export async function startJobRun(db: Database, run: Pick<JobRun, 'id' | 'job' | 'trigger'>): Promise<JobRun> {
  const [created] = await db.insert(jobRuns).values({ ...run, status: 'running' }).returning();
  return created!;
}

export async function finishJobRun(
  db: Database,
  id: string,
  outcome: { status: 'succeeded'; summary: Record<string, unknown> } | { status: 'failed'; error: string; summary: Record<string, unknown> },
): Promise<JobRun> {
  const [updated] = await db
    .update(jobRuns)
    .set({ ...outcome, finishedAt: sql`now()` })
    .where(eq(jobRuns.id, id))
    .returning();
  return updated!;
}

export function listJobRuns(db: Database, page: { limit: number; after?: string }): Promise<JobRun[]> {
  return db
    .select()
    .from(jobRuns)
    .where(page.after ? lt(jobRuns.id, page.after) : undefined)
    .orderBy(desc(jobRuns.id))
    .limit(page.limit + 1);
}

/** The job's one cross-tenant read (a SECURITY DEFINER function): opted-in tenants and their cohorts. */
export async function readParticipants(db: Database): Promise<Participant[]> {
  const result = await db.execute<{ tenant_id: string; industry: string; size_band: string; region: string }>(
    sql`select tenant_id, industry, size_band, region from benchmark_participants()`,
  );
  return result.rows.map((row) => ({ tenantId: row.tenant_id, industry: row.industry, sizeBand: row.size_band, region: row.region }));
}

export interface PeriodTotals {
  external: ExternalTotals;
  internal: InternalTotals;
}

/**
 * Each tenant's totals for each period, read with that tenant set: one batch of
 * [set_config(A), totals of A…, set_config(B), …, set_config('')] per call, so callers chunk the
 * tenants to keep a batch (and its response) small.
 */
export async function readPeriodTotals(
  db: Database,
  tenantIds: readonly string[],
  periods: readonly Pick<Period, 'start' | 'end'>[],
): Promise<PeriodTotals[][]> {
  if (tenantIds.length === 0) return [];
  const perTenant = 1 + 2 * periods.length;
  const items: BatchItem<'pg'>[] = tenantIds.flatMap((tenantId) => [
    setTenant(db, tenantId),
    ...periods.flatMap((period) => {
      const range = { tenantId, from: period.start, to: period.end };
      return [externalTotals(db, range), internalTotals(db, range)];
    }),
  ]);
  items.push(setTenant(db, ''));
  const results = (await db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]])) as unknown[];
  return tenantIds.map((_, t) =>
    periods.map((_, p) => {
      const offset = t * perTenant + 1 + 2 * p;
      return {
        external: sumTotals(results[offset] as ExternalTotals[], EMPTY_EXTERNAL_TOTALS),
        internal: sumTotals(results[offset + 1] as InternalTotals[], EMPTY_INTERNAL_TOTALS),
      };
    }),
  );
}

/**
 * Replaces the period's snapshot in one batch transaction: delete the old one (its stats and
 * positions cascade), insert the new snapshot and stats with no tenant set, then each tenant's
 * positions with that tenant set, with its `benchmark.snapshot.published` event (its own cohorts
 * and ranks, nothing of any other tenant). Any failure rolls it all back and the old snapshot stays.
 */
export async function replaceSnapshot(
  db: Database,
  snapshot: { id: string; period: Period; jobRunId: string },
  result: { stats: readonly CohortStat[]; positions: readonly Position[] },
  participants: ReadonlyMap<string, Participant>,
): Promise<void> {
  const { period } = snapshot;
  const items: BatchItem<'pg'>[] = [
    // Runs at once (cron and operator) take turns per period, the last one's snapshot staying: without
    // it both deleted the old snapshot and the second insert broke the period's unique key.
    db.execute(sql`select pg_advisory_xact_lock(hashtext(${`benchmark-snapshot:${period.kind}:${period.start}`}))`),
    db.delete(benchmarkSnapshots).where(and(eq(benchmarkSnapshots.periodKind, period.kind), eq(benchmarkSnapshots.periodStart, period.start))),
    db.insert(benchmarkSnapshots).values({ id: snapshot.id, periodKind: period.kind, periodStart: period.start, periodEnd: period.end, jobRunId: snapshot.jobRunId }),
  ];
  if (result.stats.length > 0) items.push(db.insert(benchmarkCohortStats).values(result.stats.map((stat) => ({ ...stat, snapshotId: snapshot.id }))));
  const byTenant = new Map<string, Position[]>();
  for (const position of result.positions) {
    const positions = byTenant.get(position.tenantId);
    if (positions) positions.push(position);
    else byTenant.set(position.tenantId, [position]);
  }
  for (const [tenantId, positions] of byTenant) {
    items.push(
      setTenant(db, tenantId),
      insertPositions(db, snapshot.id, tenantId, positions),
      ...emitWebhookEvent(db, { id: uuidv7(), tenantId, type: 'benchmark.snapshot.published' }, publishedData(snapshot, tenantId, participants.get(tenantId))),
    );
  }
  await db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]]);
}

/**
 * A tenant's positions as one jsonb parameter rather than six parameters a row: the whole
 * replacement is one HTTP request, whose size grows with the participants (at 1,230 of them the
 * row-by-row form passed the local endpoint's 16 MiB, as Neon's own request limit would at some size).
 */
function insertPositions(db: Database, snapshotId: string, tenantId: string, positions: readonly Position[]) {
  const rows = positions.map(({ measure, cohortKind, cohortValue, value, percentileRank }) => [measure, cohortKind, value, percentileRank, cohortValue]);
  return db.execute(sql`insert into ${benchmarkPositions} (snapshot_id, tenant_id, measure, cohort_kind, value, percentile_rank, cohort_value)
    select ${snapshotId}::uuid, ${tenantId}::uuid, (row->>0)::measure, (row->>1)::cohort_kind, (row->>2)::float8, (row->>3)::float8, row->>4
    from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) as row`);
}

/**
 * The event's data: the snapshot, the tenant's cohorts and its own value and rank in each, read
 * back from the positions the batch has just written instead of sent a second time.
 */
function publishedData(snapshot: { id: string; period: Period }, tenantId: string, participant: Participant | undefined) {
  const cohorts = participant ? { all: '', industry: participant.industry, sizeBand: participant.sizeBand, region: participant.region } : {};
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
}

/**
 * The latest snapshot of the period kind (by period), the tenant's own positions and the stats of
 * its cohort: one batch with the tenant set, so positions of others stay invisible.
 */
export async function readBenchmark(
  db: Database,
  query: { tenantId: string; periodKind: PeriodKind; measure: Measure; cohortKind: CohortKind; cohortValue: string },
): Promise<BenchmarkView | undefined> {
  const latest = sql`(${db
    .select({ id: benchmarkSnapshots.id })
    .from(benchmarkSnapshots)
    .where(eq(benchmarkSnapshots.periodKind, query.periodKind))
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
  const frozenValue = sql`coalesce((${db.select({ value: benchmarkPositions.cohortValue }).from(benchmarkPositions).where(positionOf(query.cohortKind))}), ${query.cohortValue})`;
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
  const [[snapshot], [position], [inPool], [stat], [poolStat]] = await inTenant(db, query.tenantId, [
    db.select().from(benchmarkSnapshots).where(eq(benchmarkSnapshots.id, latest)),
    db.select().from(benchmarkPositions).where(positionOf(query.cohortKind)),
    db.select({ measure: benchmarkPositions.measure }).from(benchmarkPositions).where(positionOf('all')),
    statOf(query.cohortKind, frozenValue),
    statOf('all', ''),
  ]);
  return snapshot ? { snapshot, position, contributed: inPool !== undefined, stat, poolPublished: poolStat !== undefined } : undefined;
}
