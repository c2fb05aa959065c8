import type { BatchItem } from 'drizzle-orm/batch';
import { type Acting, auditEvent } from './audit.ts';
import type { Database } from './client.ts';
import { DatabaseRequestTooLarge } from './errors.ts';
import { insertExternalRatings, type NewExternalRating } from './external-ratings.ts';
import { type IdempotencyClaim, type Replay, writeOnce } from './idempotency.ts';
import { insertInternalRatings, type NewInternalRating } from './internal-ratings.ts';
import { batchRequestBytes, NEON_MAX_REQUEST_BYTES } from './neon-limits.ts';

/**
 * Room left in the database request for what a write adds around its statements: the tenant
 * context, the Idempotency-Key claim with the response it stores (a batch's 1,000 ids: about 50 KB
 * encoded), the envelope.
 */
const ENVELOPE_BYTES = 256 * 1024;

/**
 * Refuses, before any round trip, a write whose one database request would pass Neon's 10 MiB cap:
 * Neon would refuse it anyway, and the client would get a 500 for a body the schema accepted. The
 * body limit cannot promise this alone: JSON escaping inside the request makes a comment of quotes
 * or control characters weigh up to seven times its length, so a batch's worst case is far over the
 * cap while most batches are far under it.
 */
function assertFitsOneRequest(writes: readonly BatchItem<'pg'>[], rows: number): void {
  const bytes = batchRequestBytes(writes);
  const max = NEON_MAX_REQUEST_BYTES - ENVELOPE_BYTES;
  if (bytes > max) throw new DatabaseRequestTooLarge(rows, bytes, max);
}

/*
 * The one write of each side's ratings: one round trip, once per Idempotency-Key `claim`. Units that
 * are not the tenant's, or archived, refuse the whole batch (`UnitNotFound`, `UnitArchived`).
 */

export function recordExternalRatings(
  db: Database,
  tenantId: string,
  ratings: NewExternalRating[],
  receivedAt: Date,
  claim: IdempotencyClaim | undefined,
): Promise<Replay | undefined> {
  const writes = insertExternalRatings(db, tenantId, ratings, receivedAt);
  // A single rating's text is bounded by its schema well below the cap; only batches are measured.
  if (ratings.length > 1) assertFitsOneRequest(writes, ratings.length);
  return writeOnce(db, tenantId, claim, writes);
}

export function recordInternalRatings(
  db: Database,
  tenantId: string,
  ratings: NewInternalRating[],
  { actor, requestId }: Acting,
  claim: IdempotencyClaim | undefined,
): Promise<Replay | undefined> {
  return writeOnce(db, tenantId, claim, [
    ...insertInternalRatings(db, tenantId, ratings),
    // Counts only: who wrote how many, so that padding by a second credential shows; no contents.
    auditEvent(db, {
      ...actor,
      tenantId,
      action: 'internal_ratings.recorded',
      requestId,
      details: { ratings: ratings.length, units: new Set(ratings.map((rating) => rating.unit_id)).size },
    }),
  ]);
}
