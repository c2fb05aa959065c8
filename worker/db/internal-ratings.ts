import type { BatchItem } from 'drizzle-orm/batch';
import { type InternalRating, internalRatings } from '../../db/schema.ts';
import type { Database } from './client.ts';
import { insertRatings } from './rating-writes.ts';
import { INTERNAL_ROLLUP } from './rollups.ts';

/** A validated internal rating, ready to store (column names as in the table): no person, no time of day. */
export interface NewInternalRating {
  /** Random (v4): a time-ordered id would date the answer more finely than `occurred_on`. */
  id: string;
  unit_id: string;
  occurred_on: string;
  commitments: number;
  internal_culture: number;
  empowerment: number;
  recognition: number;
  leadership_support: number;
  knowledge: number;
  ability: number;
  willingness: number;
  tenure_band: InternalRating['tenureBand'];
  role: InternalRating['role'];
  recommend_employer: number | null;
}

/**
 * The statements that store internal ratings and add them to the rollups, for one batch
 * transaction (see `insertRatings`).
 */
export function insertInternalRatings(db: Database, tenantId: string, ratings: NewInternalRating[]): BatchItem<'pg'>[] {
  return insertRatings(db, internalRatings, INTERNAL_ROLLUP, tenantId, ratings);
}
