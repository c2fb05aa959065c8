import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { idempotencyKeys } from '../../db/schema.ts';
import { type Database, inTenant } from './client.ts';
import { IdempotencyKeyInUse, IdempotencyKeyReused, type Refusals, sqlState, typedErrorOf } from './errors.ts';

/** How long a key's response is replayed (`claim_idempotency_key`, migration 0004, stores it this long). */
export const IDEMPOTENCY_WINDOW = '24 hours';

/** An Idempotency-Key to claim with a write: whose key, the request's fingerprint, and the response to keep. */
export interface IdempotencyClaim {
  credentialId: string;
  key: string;
  /** A keyed hash of method, path and body: the same key with another request is refused. */
  fingerprint: string;
  requestId: string;
  status: number;
  body: unknown;
}

/** The response the key's first request gave, to answer again instead of writing twice. */
export interface Replay {
  status: number;
  body: unknown;
}

/**
 * Runs a write's statements as one batch in the tenant, exactly once per Idempotency-Key: the key is
 * claimed (`claim_idempotency_key`) first in the same batch, with the response, so a first write is
 * still one round trip. A key already used answers its stored response (a second round trip, only
 * then) if the request is the same; otherwise `IdempotencyKeyReused`. A key whose first request is
 * still running is `IdempotencyKeyInUse`. The batch's other refusals become typed errors through
 * `refusals` (by SQLSTATE) and `typedErrorOf`. Undefined: the write ran now.
 */
export async function writeOnce(
  db: Database,
  tenantId: string,
  claim: IdempotencyClaim | undefined,
  writes: readonly BatchItem<'pg'>[],
  refusals: Refusals = {},
): Promise<Replay | undefined> {
  const statements = claim
    ? [
        db.execute(
          sql`select claim_idempotency_key(${claim.credentialId}, ${claim.key}, ${claim.fingerprint}, ${claim.requestId}, ${claim.status}, ${JSON.stringify(claim.body)}::jsonb)`,
        ),
        ...writes,
      ]
    : writes;
  if (statements.length === 0) return undefined;
  try {
    await inTenant(db, tenantId, statements as [BatchItem<'pg'>]);
    return undefined;
  } catch (error) {
    if (!claim || sqlState(error) !== 'IK200') throw typedErrorOf(error, refusals);
  }
  return replayOf(db, tenantId, claim);
}

/** The stored response of a used key, if `claim`'s request is the one that used it. */
async function replayOf(db: Database, tenantId: string, claim: IdempotencyClaim): Promise<Replay> {
  const [[stored]] = await inTenant(db, tenantId, [
    db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.credentialId, claim.credentialId), eq(idempotencyKeys.key, claim.key))),
  ]);
  // Gone between the two trips only if it expired that instant: the retry will claim it afresh.
  if (!stored) throw new IdempotencyKeyInUse(false);
  if (stored.requestFingerprint !== claim.fingerprint) throw new IdempotencyKeyReused();
  return { status: stored.responseStatus, body: stored.responseBody };
}
