import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { externalRollups, internalRollups } from '../../db/schema.ts';
import type { Database } from './client.ts';
import { EXTERNAL_ROLLUP, INTERNAL_ROLLUP, type RollupSpec } from './rollups.ts';

/*
 * Sums of rollup rows over a period, optionally grouped (by unit, segment, week/month/quarter):
 * what every report reads instead of raw ratings. The builders return drizzle queries, so a route
 * puts several in one `inTenant` batch: one round trip.
 */

/** Every aggregate column of `external_rollups`, summed. */
export type ExternalTotals = Omit<typeof externalRollups.$inferSelect, 'tenantId' | 'unitId' | 'day' | 'customerKind'>;
/** Every aggregate column of `internal_rollups`, summed. */
export type InternalTotals = Omit<typeof internalRollups.$inferSelect, 'tenantId' | 'unitId' | 'day' | 'tenureBand' | 'role'>;
/** A row of `externalTotals`: the group's keys (those asked for) and its totals. */
export type ExternalTotalsRow = ExternalTotals & { unitId?: string; customerKind?: 'occasional' | 'recurring'; bucket?: string };
/** A row of `internalTotals`. */
export type InternalTotalsRow = InternalTotals & { unitId?: string; tenureBand?: 'new' | 'established'; role?: 'frontline' | 'support' | 'leader'; bucket?: string };

export const EMPTY_EXTERNAL_TOTALS = zeros(EXTERNAL_ROLLUP) as ExternalTotals;
export const EMPTY_INTERNAL_TOTALS = zeros(INTERNAL_ROLLUP) as InternalTotals;

function zeros(spec: RollupSpec<PgTable>): Record<string, number> {
  return Object.fromEntries(Object.keys(spec.aggregates).map((key) => [key, 0]));
}

/** Adds up totals (rows of the same kind). */
export function sumTotals<T extends Record<string, number>>(rows: readonly T[], empty: T): T {
  const total: Record<string, number> = { ...empty };
  for (const row of rows) for (const key of Object.keys(empty)) total[key]! += Number(row[key] ?? 0);
  return total as T;
}

export type Bucket = 'week' | 'month' | 'quarter';

interface TotalsQuery<G extends string> {
  tenantId: string;
  /** 'YYYY-MM-DD', inclusive. */
  from: string;
  /** 'YYYY-MM-DD', exclusive. */
  to: string;
  unitIds?: readonly string[];
  groupBy?: readonly G[];
  /** Adds `bucket`: the first day of the week (ISO, Monday), month or quarter of each day. */
  bucket?: Bucket;
}

function totalsQuery<T extends PgTable, G extends string>(
  db: Database,
  spec: RollupSpec<T>,
  query: TotalsQuery<G>,
) {
  const columns = getTableColumns(spec.table) as unknown as Record<string, PgColumn>;
  const sums = Object.fromEntries(
    Object.keys(spec.aggregates).map((key) => [key, sql<number>`coalesce(sum(${columns[key]!}), 0)::float8`.mapWith(Number)]),
  );
  const groups: Record<string, SQL | PgColumn> = Object.fromEntries((query.groupBy ?? []).map((key) => [key, columns[key]!]));
  // Inlined, not bound: GROUP BY matches the select's expression only if both carry the same literal.
  if (query.bucket) groups.bucket = sql<string>`date_trunc(${sql.raw(`'${query.bucket}'`)}, ${columns.day!})::date::text`;
  const conditions = [
    sql`${columns.tenantId!} = ${query.tenantId}`,
    sql`${columns.day!} >= ${query.from}::date`,
    sql`${columns.day!} < ${query.to}::date`,
    ...(query.unitIds ? [sql`${columns.unitId!} = any(${`{${query.unitIds.join(',')}}`}::uuid[])`] : []),
  ];
  const groupExpressions = Object.values(groups);
  return db
    .select({ ...groups, ...sums })
    .from(spec.table as PgTable)
    .where(sql.join(conditions, sql` and `))
    .groupBy(...groupExpressions)
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
