/**
 * Rollups against a recomputation from the raw rows, for one tenant: what tests/api/rollups.test.ts
 * asserts after a random mix of writes, and what the load run (tests/load) checks after 20,000.
 * The recomputation is `rollupRows` (worker/db/rollups.ts) over all of the tenant's rows at once, a
 * query the writes never run (they add each batch to what is there; erasures subtract).
 */
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { EXTERNAL_ROLLUP, INTERNAL_ROLLUP, rollupRows } from '../../worker/db/rollups.ts';

const dialect = new PgDialect();

/** Runs a drizzle statement on a `pg` pool (the owner's: row-level security does not apply). */
export async function query(pool: pg.Pool, statement: SQL) {
  const { sql: text, params } = dialect.sqlToQuery(statement);
  return (await pool.query(text, params)).rows as Record<string, unknown>[];
}

const fromRaw = (table: string, id: string) => sql`${sql.identifier(table)} as r where r.tenant_id = ${id}`;

export const ROLLUP_TABLES = [
  {
    table: 'external_rollups',
    recompute: (id: string) => rollupRows(EXTERNAL_ROLLUP, id, fromRaw('external_ratings', id)),
    keys: ['unit_id', 'day', 'customer_kind'],
    count: 'ratings',
  },
  {
    table: 'internal_rollups',
    recompute: (id: string) => rollupRows(INTERNAL_ROLLUP, id, fromRaw('internal_ratings', id)),
    keys: ['unit_id', 'day', 'tenure_band', 'role'],
    count: 'respondents',
  },
] as const;

export type RollupTable = (typeof ROLLUP_TABLES)[number];

/** Rows as comparable values: bigint counts (text from pg) and integer columns both as numbers, days as strings. */
function normalized(rows: Record<string, unknown>[], keys: readonly string[]) {
  return rows
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [
          column,
          value instanceof Date ? value.toISOString() : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
        ]),
      ),
    )
    .sort((a, b) => keys.map((k) => String(a[k])).join('|').localeCompare(keys.map((k) => String(b[k])).join('|')));
}

export interface RollupComparison {
  /** Kept rows with a nonzero count, normalized and sorted: must equal `recomputed`. */
  live: Record<string, unknown>[];
  recomputed: Record<string, unknown>[];
  /** Kept rows whose count is zero (a group emptied by erasure keeps its row): every number must be 0. */
  empty: Record<string, unknown>[];
}

/** One rollup table of a tenant, as kept by the writes and as recomputed from the raw rows. */
export async function compareRollups(pool: pg.Pool, { table, recompute, keys, count }: RollupTable, tenantId: string): Promise<RollupComparison> {
  const kept = await query(pool, sql`select * from ${sql.identifier(table)} where tenant_id = ${tenantId}`);
  const recomputed = await query(pool, recompute(tenantId));
  const isEmpty = (row: Record<string, unknown>) => Number(row[count]) === 0;
  return {
    live: normalized(kept.filter((row) => !isEmpty(row)), keys),
    recomputed: normalized(recomputed, keys),
    empty: kept.filter(isEmpty),
  };
}
