/**
 * Internal ratings dated in ended months, written as the pool loader writes them (the worker's own
 * insert and rollup statements, run with `pg` as the owner): the API refuses such dates, because a
 * month's internal figures are published, and frozen, once it has ended.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { PgRaw } from 'drizzle-orm/pg-core/query-builders/raw';
import type pg from 'pg';
import { createDatabase } from '../../worker/db/client.ts';
import { insertInternalRatings, internalRatingRow, type NewInternalRating } from '../../worker/db/internal-ratings.ts';

const db = createDatabase({ DATABASE_URL: 'postgres://render:only@127.0.0.1:1/none', LOCAL_NEON_ENDPOINT: undefined });

/** An API body (tests/api/helpers.ts `internalRating`) as the table's row. */
const toRow = (item: Record<string, any>): NewInternalRating => internalRatingRow({ id: crypto.randomUUID(), ...item } as Parameters<typeof internalRatingRow>[0]);

/** Stores `items` (API bodies, any date) for `tenantId` in one transaction. */
export async function seedInternalRatings(pool: pg.Pool, tenantId: string, items: Record<string, unknown>[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const statement of insertInternalRatings(db, tenantId, items.map(toRow)) as BatchItem<'pg'>[]) {
      const { sql, params } = (statement as PgRaw<unknown>).getQuery();
      await client.query(sql, params);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

/** The first day (UTC) of the month `offset` months from this one, as YYYY-MM-DD. */
export function monthStart(offset: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/** Day `day` (1-28) of the month `offset` months from this one. */
export function dayOfMonth(offset: number, day: number): string {
  return `${monthStart(offset).slice(0, 8)}${String(day).padStart(2, '0')}`;
}
