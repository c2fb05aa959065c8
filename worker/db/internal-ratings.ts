import { sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { InternalRating } from '../../db/schema.ts';
import type { Database } from './client.ts';
import { uuidArray } from './external-ratings.ts';
import { addToRollups, INTERNAL_ROLLUP } from './rollups.ts';

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

/** The shape of `NewInternalRating` for `jsonb_to_recordset`, so a batch travels as one parameter. */
const RECORD = sql.raw(
  'id uuid, unit_id uuid, occurred_on date, commitments smallint, internal_culture smallint, empowerment smallint, ' +
    'recognition smallint, leadership_support smallint, knowledge smallint, ability smallint, willingness smallint, ' +
    'tenure_band tenure_band, role staff_role, recommend_employer smallint',
);
const COLUMNS = sql.raw(
  'id, unit_id, occurred_on, commitments, internal_culture, empowerment, recognition, leadership_support, knowledge, ' +
    'ability, willingness, tenure_band, role, recommend_employer',
);

/**
 * The statements that store internal ratings and add them to the rollups, for one batch
 * transaction: the units' check, one multi-row insert and one rollup upsert, whatever the count.
 */
export function insertInternalRatings(db: Database, tenantId: string, ratings: NewInternalRating[]): BatchItem<'pg'>[] {
  const source = sql`jsonb_to_recordset(${JSON.stringify(ratings)}::jsonb) as r(${RECORD})`;
  return [
    db.execute(sql`select assert_units_accept_ratings(${uuidArray(ratings.map((r) => r.unit_id))}::uuid[])`),
    db.execute(sql`insert into internal_ratings (tenant_id, ${COLUMNS}) select ${tenantId}::uuid, ${COLUMNS} from ${source}`),
    db.execute(addToRollups(INTERNAL_ROLLUP, tenantId, source)),
  ];
}
