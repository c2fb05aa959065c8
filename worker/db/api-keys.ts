import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { apiKeys, type ApiKey } from '../../db/schema.ts';
import { type Acting, auditEventIf } from './audit.ts';
import type { Database } from './client.ts';
import { getRow, listPage, ofTenant as ofTenantRow, type PageRequest } from './collections.ts';
import { createRow } from './create-row.ts';
import { CredentialNotLive, DIVISION_BY_ZERO } from './errors.ts';
import { type IdempotencyClaim, type Replay, writeOnce } from './idempotency.ts';

const ofTenant = (tenantId: string, id: string) => ofTenantRow(apiKeys, tenantId, id);

/** Issues a key given whole (its timestamps too) so its resource is known before the write runs; once per `claim`. */
export function createApiKey(db: Database, key: ApiKey, acting: Acting, claim: IdempotencyClaim | undefined): Promise<Replay | undefined> {
  const details = { name: key.name, scopes: key.scopes, expiresAt: key.expiresAt };
  return createRow(db, apiKeys, key, { action: 'api_key.created', details }, acting, claim);
}

/** A page of the tenant's keys, newest first (cursor pagination). */
export function listApiKeys(db: Database, tenantId: string, page: PageRequest): Promise<ApiKey[]> {
  return listPage(db, apiKeys, tenantId, page);
}

export function getApiKey(db: Database, tenantId: string, id: string): Promise<ApiKey | undefined> {
  return getRow(db, apiKeys, tenantId, id);
}

export interface Replacement {
  id: string;
  displayPrefix: string;
  secretHash: string;
}

/**
 * Rotates key `previous.id` into `created` (its response, computed beforehand), once per `claim`:
 * the old key's expiry becomes min(its expiry, now + grace) and the new key takes the old one's
 * name, scopes and expiry, audited — or, if the old key is no longer live by the time the batch
 * runs, a division by zero (SQLSTATE 22012) rolls the whole batch back, Idempotency-Key claim
 * included, rather than let a response claim a rotation that did not happen: `CredentialNotLive`.
 */
export function rotateApiKey(
  db: Database,
  previous: ApiKey,
  created: ApiKey,
  gracePeriodSeconds: number,
  { actor, requestId, clientRequestId }: Acting,
  claim: IdempotencyClaim | undefined,
): Promise<Replay | undefined> {
  const { tenantId, id } = previous;
  const live = and(
    ofTenant(tenantId, id),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)),
  );
  const shortened = db.$with('shortened').as(
    db
      .update(apiKeys)
      // least() ignores nulls: a key without an expiry gets the end of the grace period.
      .set({ expiresAt: sql`least(${apiKeys.expiresAt}, now() + make_interval(secs => ${gracePeriodSeconds}))` })
      .where(live)
      .returning({ id: apiKeys.id }),
  );
  return writeOnce(db, tenantId, claim, [
    // Statements of one WITH share a snapshot: this select reads the old key as it was before the update.
    db
      .with(shortened)
      .insert(apiKeys)
      .select((qb) =>
        qb
          .select({
            id: sql`${created.id}`.as('id'),
            tenantId: apiKeys.tenantId,
            name: apiKeys.name,
            displayPrefix: sql`${created.displayPrefix}`.as('displayPrefix'),
            secretHash: sql`${created.secretHash}`.as('secretHash'),
            scopes: apiKeys.scopes,
            rotatedFromId: apiKeys.id,
            createdAt: sql`${created.createdAt.toISOString()}::timestamptz`.as('createdAt'),
            lastUsedAt: sql`null`.as('lastUsedAt'),
            expiresAt: apiKeys.expiresAt,
            revokedAt: sql`null`.as('revokedAt'),
          })
          .from(apiKeys)
          .innerJoin(shortened, eq(shortened.id, apiKeys.id)),
      ),
    auditEventIf(
      db,
      {
        ...actor,
        tenantId,
        action: 'api_key.rotated',
        targetId: id,
        requestId,
        clientRequestId,
        details: { gracePeriodSeconds, newKeyId: created.id },
      },
      sql`exists (${db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, created.id))})`,
    ),
    db.execute(sql`select 1 / (select count(*)::int from ${apiKeys} where ${apiKeys.id} = ${created.id}) as rotated`),
  ], { [DIVISION_BY_ZERO]: () => new CredentialNotLive(previous.revokedAt ? 'revoked' : 'expired') });
}
