import type { BatchItem } from 'drizzle-orm/batch';
import { internalRatings } from '../../db/schema.ts';
import type { Database } from './client.ts';
import { insertRatings } from './rating-writes.ts';
import { INTERNAL_ROLLUP } from './rollups.ts';
import { type ColumnRow, columnRow, type ValuesOf } from './rows.ts';

/**
 * A validated internal rating, ready to store, keyed by column name: the table's row but the tenant
 * (no person, no time of day). Its id is random (v4): a time-ordered id would date the answer more
 * finely than `occurred_on`.
 */
export type NewInternalRating = ColumnRow<typeof internalRatings, 'tenantId'>;

export const internalRatingRow = (values: ValuesOf<typeof internalRatings, 'tenantId'>): NewInternalRating => columnRow(internalRatings, values, ['tenantId']);

/**
 * The statements that store internal ratings and add them to the rollups, for one batch
 * transaction (see `insertRatings`).
 */
export function insertInternalRatings(db: Database, tenantId: string, ratings: NewInternalRating[]): BatchItem<'pg'>[] {
  return insertRatings(db, internalRatings, INTERNAL_ROLLUP, tenantId, ratings);
}
