import { and, desc, eq, getTableColumns, gte, lt, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { auditEvents, type ExternalRating, externalRatings, externalRollups } from '../../db/schema.ts';
import { type Acting, auditEvent, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { insertRatings } from './rating-writes.ts';
import { type ColumnRow, columnRow, type ValuesOf } from './rows.ts';
import { EXTERNAL_ROLLUP, subtractFromRollups } from './rollups.ts';

/** A validated external rating, ready to store: the table's row but the tenant and the time received, by property name. */
export type ExternalRatingValues = ValuesOf<typeof externalRatings, 'tenantId' | 'receivedAt'>;
/** The same, keyed by column name: what the insert (and the pool's COPY) reads. */
export type NewExternalRating = ColumnRow<typeof externalRatings, 'tenantId' | 'receivedAt'>;

export const externalRatingRow = (values: ExternalRatingValues): NewExternalRating => columnRow(externalRatings, values, ['tenantId', 'receivedAt']);

/**
 * The statements that store external ratings and add them to the rollups, for one batch
 * transaction (see `insertRatings`).
 */
export function insertExternalRatings(db: Database, tenantId: string, ratings: NewExternalRating[], receivedAt: Date): BatchItem<'pg'>[] {
  return insertRatings(db, externalRatings, EXTERNAL_ROLLUP, tenantId, ratings, { received_at: receivedAt.toISOString() });
}

export interface ExternalRatingFilter {
  unitId?: string;
  /** Inclusive, on occurredAt. */
  from?: Date;
  /** Exclusive, on occurredAt. */
  to?: Date;
  customerKind?: ExternalRating['customerKind'];
  channel?: ExternalRating['channel'];
  blamedComponent?: ExternalRating['blamedComponent'];
}

// Reads never fetch the customer's hash, only whether there is one.
const { tenantId: _tenantId, customerRefHash: _customerRefHash, ...PUBLIC_COLUMNS } = getTableColumns(externalRatings);
const READ_COLUMNS = { ...PUBLIC_COLUMNS, hasCustomerRef: sql<boolean>`${externalRatings.customerRefHash} is not null` };

/** A stored rating as the API shows it, but with dates. */
export type StoredExternalRating = Omit<ExternalRating, 'tenantId' | 'customerRefHash'> & { hasCustomerRef: boolean };

const ofTenant = (tenantId: string) => eq(externalRatings.tenantId, tenantId);

/**
 * A page of the tenant's ratings, newest first, after the id `after`: `limit + 1` rows, the extra
 * one saying whether another page follows. Keyset on the id, so a page costs the same however deep.
 * `exportedBy`: the first page of a CSV export, audited with its filter in the same batch (personal
 * data leaving the API in bulk).
 */
export async function listExternalRatings(
  db: Database,
  tenantId: string,
  filter: ExternalRatingFilter,
  page: { limit: number; after?: string },
  exportedBy?: Acting,
): Promise<StoredExternalRating[]> {
  const audit = exportedBy && auditEvent(db, { ...exportedBy.actor, tenantId, action: 'external_ratings.exported', requestId: exportedBy.requestId, details: { filter } });
  const [rows] = await inTenant(db, tenantId, [
    db
      .select(READ_COLUMNS)
      .from(externalRatings)
      .where(
        and(
          ofTenant(tenantId),
          page.after ? lt(externalRatings.id, page.after) : undefined,
          filter.unitId ? eq(externalRatings.unitId, filter.unitId) : undefined,
          filter.from ? gte(externalRatings.occurredAt, filter.from) : undefined,
          filter.to ? lt(externalRatings.occurredAt, filter.to) : undefined,
          filter.customerKind ? eq(externalRatings.customerKind, filter.customerKind) : undefined,
          filter.channel ? eq(externalRatings.channel, filter.channel) : undefined,
          filter.blamedComponent ? eq(externalRatings.blamedComponent, filter.blamedComponent) : undefined,
        ),
      )
      .orderBy(desc(externalRatings.id))
      .limit(page.limit + 1),
    ...(audit ? [audit] : []),
  ]);
  return rows;
}

export async function getExternalRating(db: Database, tenantId: string, id: string): Promise<StoredExternalRating | undefined> {
  const [[rating]] = await inTenant(db, tenantId, [
    db.select(READ_COLUMNS).from(externalRatings).where(and(ofTenant(tenantId), eq(externalRatings.id, id))),
  ]);
  return rating;
}

/**
 * Erases every rating of one customer (by the keyed hash of their reference) in one transaction:
 * the delete, the rollups corrected from exactly the deleted rows (one statement, so a concurrent
 * write cannot slip between them), rollup rows left empty removed (they would still say a rating
 * existed that day), and the audit event with the count. The event is recorded even when nothing
 * matched: the request itself is worth recording. Returns how many ratings were erased.
 */
export async function eraseCustomerRatings(db: Database, tenantId: string, customerRefHash: string, { actor, requestId, clientRequestId }: Acting): Promise<number> {
  const deleted = db
    .$with('deleted')
    .as(db.delete(externalRatings).where(and(ofTenant(tenantId), eq(externalRatings.customerRefHash, customerRefHash))).returning());
  const corrected = db.$with('corrected', {}).as(subtractFromRollups(EXTERNAL_ROLLUP, tenantId, sql`${deleted} as r`));
  const [[event]] = await inTenant(db, tenantId, [
    auditEventIf(
      db,
      {
        ...actor,
        tenantId,
        action: 'external_ratings.erased',
        requestId,
        clientRequestId,
        details: sql`jsonb_build_object('count', (select count(*) from ${deleted}))`,
      },
      sql`true`,
      deleted,
      corrected,
    ).returning({ details: auditEvents.details }),
    db.delete(externalRollups).where(and(eq(externalRollups.tenantId, tenantId), eq(externalRollups.ratings, 0))),
  ]);
  return (event!.details as { count: number }).count;
}
