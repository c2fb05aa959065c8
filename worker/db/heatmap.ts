import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { benchmarkCohortStats, benchmarkPositions, benchmarkSnapshots, tenants, units } from '../../db/schema.ts';
import type { CohortKind } from '../domain/benchmarks.ts';
import type { Disclosure, DisclosurePeriod } from '../domain/disclosure.ts';
import { type Database, inTenant } from './client.ts';
import { type PageRequest, pageQuery } from './collections.ts';
import { disclosureOf, disclosureQueries } from './disclosure.ts';
import { reportsVersionQuery, versionOf } from './report-versions.ts';
import { type ExternalTotalsRow, externalTotals, type InternalTotalsRow, internalTotals } from './rollup-totals.ts';
import { targetsQuery } from './targets.ts';


export interface HeatmapRead {
  /** The page of units, newest first, with one more than asked when a next page exists. */
  units: (typeof units.$inferSelect)[];
  /** Totals of each page unit's subtree (`unitId` is the subtree's root), for the period and the one before. */
  external: { current: ExternalTotalsRow[]; previous: ExternalTotalsRow[] };
  internal: { current: InternalTotalsRow[]; previous: InternalTotalsRow[] };
  /** The tenant-wide targets: the colour reference where a cell has no cohort median (a unit's own target is its road, not the map's scale). */
  targets: { measure: string; target: number }[];
  /** The published benchmark snapshot of exactly this period, if one was computed. */
  snapshot: typeof benchmarkSnapshots.$inferSelect | undefined;
  /** The tenant's positions in that snapshot for the cohort kind: what give-to-get looks at. */
  positions: (typeof benchmarkPositions.$inferSelect)[];
  /** The snapshot's stats of the cohorts the tenant is in now or was counted in. */
  stats: (typeof benchmarkCohortStats.$inferSelect)[];
  disclosure: Disclosure;
  /** What the answer is computed from, for its ETag: the reports' data version and the snapshot. */
  version: string;
}

/**
 * Everything a heatmap page is computed from, in one round trip while the stored disclosure plan is
 * current: the page of units, the rollup totals of each one's subtree (summed in SQL, so the answer
 * grows with the page, not with the tree), targets, the benchmark snapshot of the period with the
 * tenant's positions and cohort stats, and the unit tree with the disclosure plan.
 */
export async function readHeatmap(
  db: Database,
  tenantId: string,
  query: { period: DisclosurePeriod; previous: { from: string; to: string }; cohortKind: CohortKind; page: PageRequest },
  now: Date,
): Promise<HeatmapRead> {
  const page = pageQuery(db, units, tenantId, query.page);
  // Each unit of the page with every unit at or below it; `union` ends the walk even on a cycle, as units.ts's check does.
  const subtrees = sql`(with recursive tree(root, id) as (
      select page.id, page.id from (${page}) as page
      union
      select tree.root, child.id from ${units} as child join tree on child.parent_id = tree.id where child.tenant_id = ${tenantId}
    ) select root, id from tree)`;
  const totals = (range: { from: string; to: string }) =>
    [
      externalTotals(db, { tenantId, ...range, groupBy: ['unitId'], subtrees }),
      internalTotals(db, { tenantId, ...range, groupBy: ['unitId'], subtrees }),
    ] as const;
  const snapshotId = snapshotIdOf(db, query.period);
  const ownPositions = and(eq(benchmarkPositions.snapshotId, snapshotId), eq(benchmarkPositions.tenantId, tenantId), eq(benchmarkPositions.cohortKind, query.cohortKind));
  const currentValue =
    query.cohortKind === 'all' ? sql`''` : sql`(select ${tenants[query.cohortKind]}::text from ${tenants} where ${tenants.id} = ${tenantId})`;
  const [pageRows, externalNow, internalNow, externalBefore, internalBefore, targetRows, [snapshot], positions, stats, version, ...disclosureRows] = await inTenant(db, tenantId, [
    page,
    ...totals(query.period),
    ...totals(query.previous),
    targetsQuery(db, tenantId),
    db.select().from(benchmarkSnapshots).where(eq(benchmarkSnapshots.id, snapshotId)),
    db.select().from(benchmarkPositions).where(ownPositions),
    db
      .select()
      .from(benchmarkCohortStats)
      .where(
        and(
          eq(benchmarkCohortStats.snapshotId, snapshotId),
          eq(benchmarkCohortStats.cohortKind, query.cohortKind),
          sql`(${benchmarkCohortStats.cohortValue} = ${currentValue} or ${inArray(
            benchmarkCohortStats.cohortValue,
            db.select({ value: benchmarkPositions.cohortValue }).from(benchmarkPositions).where(ownPositions),
          )})`,
        ),
      ),
    reportsVersionQuery(db, tenantId),
    ...disclosureQueries(db, tenantId, now),
  ]);
  return {
    units: pageRows,
    // The selects are built from the rollup definitions, so their rows are these types (see rollup-totals.ts).
    external: { current: externalNow as ExternalTotalsRow[], previous: externalBefore as ExternalTotalsRow[] },
    internal: { current: internalNow as InternalTotalsRow[], previous: internalBefore as InternalTotalsRow[] },
    targets: targetRows.filter((row) => row.unitId === null),
    snapshot,
    positions,
    stats,
    disclosure: await disclosureOf(db, tenantId, now, disclosureRows),
    version: `${versionOf(version)}:${snapshot?.id ?? ''}`,
  };
}

/** The published snapshot of exactly `period`, as a scalar subquery. */
function snapshotIdOf(db: Database, period: DisclosurePeriod) {
  return sql`(${db
    .select({ id: benchmarkSnapshots.id })
    .from(benchmarkSnapshots)
    .where(and(eq(benchmarkSnapshots.periodKind, period.kind), eq(benchmarkSnapshots.periodStart, period.from), isNotNull(benchmarkSnapshots.publishedAt)))
    .limit(1)})`;
}

/** Only `HeatmapRead.version`: a conditional read's first round trip. */
export async function heatmapVersion(db: Database, tenantId: string, period: DisclosurePeriod): Promise<string> {
  const [version, [snapshot]] = await inTenant(db, tenantId, [reportsVersionQuery(db, tenantId), db.select({ id: sql<string | null>`${snapshotIdOf(db, period)}` }).from(sql`(select 1) as one`)]);
  return `${versionOf(version)}:${snapshot?.id ?? ''}`;
}
