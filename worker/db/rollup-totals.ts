import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ExternalTotals, InternalTotals } from '../domain/measure-registry.ts';
import type { Database } from './client.ts';
import { EXTERNAL_ROLLUP, INTERNAL_ROLLUP, type RollupSpec } from './rollups.ts';

/*
 * Sums of rollup rows over a period, optionally grouped (by unit, segment, week/month/quarter):
 * what every report reads instead of raw ratings. The builders return drizzle queries, so a route
 * puts several in one `inTenant` batch: one round trip.
 */

export { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals, sumTotals } from '../domain/measure-registry.ts';
/** A row of `externalTotals`: the group's keys (those asked for) and its totals. */
export type ExternalTotalsRow = ExternalTotals & { unitId?: string; customerKind?: 'occasional' | 'recurring'; bucket?: string };
/** A row of `internalTotals`. */
export type InternalTotalsRow = InternalTotals & { unitId?: string; tenureBand?: 'new' | 'established'; role?: 'frontline' | 'support' | 'leader'; bucket?: string };

export type Bucket = 'week' | 'month' | 'quarter';

interface TotalsQuery<G extends string> {
  tenantId: string;
  /** 'YYYY-MM-DD', inclusive; or a subquery giving that date (a target's baseline), so the range is read in the same round trip. */
  from: string | SQL;
  /** 'YYYY-MM-DD', exclusive. */
  to: string;
  unitIds?: readonly string[];
  /** A subquery of the unit ids to count (a subtree). */
  unitsIn?: SQL;
  /** A subquery of unit ids not to count (the parents, to count only leaves); no nulls in it. */
  unitsNotIn?: SQL;
  groupBy?: readonly G[];
  /** Only these totals (default: all); the rest are left out of the answer. */
  columns?: readonly string[];
  /** Only the groups whose totals reach these, e.g. `{ respondents: 5 }`: what the database need not send. */
  atLeast?: Readonly<Record<string, number>>;
  /** Adds `bucket`: the first day of the week (ISO, Monday), month or quarter of each day. */
  bucket?: Bucket;
  /**
   * Sums per unit subtree instead of per unit: a relation `(root, id)` holding every unit `id` at or
   * below each `root`; `unitId` then groups by `root`.
   */
  subtrees?: SQL;
}

function totalsQuery<T extends PgTable, G extends string>(
  db: Database,
  spec: RollupSpec<T>,
  query: TotalsQuery<G>,
) {
  const columns = getTableColumns(spec.table) as unknown as Record<string, PgColumn>;
  const sums = Object.fromEntries(
    (query.columns ?? Object.keys(spec.aggregates)).map((key) => [key, sql<number>`coalesce(sum(${columns[key]!}), 0)::float8`.mapWith(Number)]),
  );
  const groups: Record<string, SQL | PgColumn> = Object.fromEntries(
    (query.groupBy ?? []).map((key) => [key, key === 'unitId' && query.subtrees ? sql<string>`subtree.root` : columns[key]!]),
  );
  // Inlined, not bound: GROUP BY matches the select's expression only if both carry the same literal.
  if (query.bucket) groups.bucket = sql<string>`date_trunc(${sql.raw(`'${query.bucket}'`)}, ${columns.day!})::date::text`;
  const conditions = [
    sql`${columns.tenantId!} = ${query.tenantId}`,
    sql`${columns.day!} >= ${typeof query.from === 'string' ? sql`${query.from}::date` : sql`(${query.from})`}`,
    sql`${columns.day!} < ${query.to}::date`,
    ...(query.unitIds ? [sql`${columns.unitId!} = any(${`{${query.unitIds.join(',')}}`}::uuid[])`] : []),
    ...(query.unitsIn ? [sql`${columns.unitId!} in (${query.unitsIn})`] : []),
    ...(query.unitsNotIn ? [sql`${columns.unitId!} not in (${query.unitsNotIn})`] : []),
  ];
  const minimums = Object.entries(query.atLeast ?? {}).map(([key, minimum]) => sql`sum(${columns[key]!}) >= ${minimum}`);
  const groupExpressions = Object.values(groups);
  const select = db
    .select({ ...groups, ...sums })
    .from(spec.table as PgTable)
    .$dynamic();
  return (query.subtrees ? select.innerJoin(sql`${query.subtrees} as subtree`, sql`subtree.id = ${columns.unitId!}`) : select)
    .where(sql.join(conditions, sql` and `))
    .groupBy(...groupExpressions)
    .having(minimums.length > 0 ? sql.join(minimums, sql` and `) : undefined)
    .orderBy(...groupExpressions);
}

/**
 * External totals per group, as a batch item. Its rows are `ExternalTotalsRow`s; the select's
 * fields are built from the rollup definition, so callers read them as that type.
 */
export function externalTotals(db: Database, query: TotalsQuery<'unitId' | 'customerKind'>) {
  return totalsQuery(db, EXTERNAL_ROLLUP, query);
}

/** Internal totals per group, as a batch item; its rows are `InternalTotalsRow`s. */
export function internalTotals(db: Database, query: TotalsQuery<'unitId' | 'tenureBand' | 'role'>) {
  return totalsQuery(db, INTERNAL_ROLLUP, query);
}
