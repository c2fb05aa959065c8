import type { BatchItem } from 'drizzle-orm/batch';
import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { apiKeys, type ApiKey } from '../../db/schema.ts';
import { type Acting, auditEvent, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { credentialOf, type Revoked, revokeCredential } from './credentials.ts';

const ofTenant = (tenantId: string, id: string) => credentialOf(apiKeys, tenantId, id);

/** The writes that issue a key, given whole (its timestamps too) so its resource is known before they run. */
export function insertApiKey(db: Database, key: ApiKey, { actor, requestId, clientRequestId }: Acting) {
  return [
    db.insert(apiKeys).values(key),
    auditEvent(db, {
      ...actor,
      tenantId: key.tenantId,
      action: 'api_key.created',
      targetId: key.id,
      requestId,
      clientRequestId,
      details: { name: key.name, scopes: key.scopes, expiresAt: key.expiresAt },
    }),
  ];
}

/** A page of the tenant's keys, newest first, after the id `after` (cursor pagination). */
export async function listApiKeys(db: Database, tenantId: string, page: { limit: number; after?: string }): Promise<ApiKey[]> {
  const [rows] = await inTenant(db, tenantId, [
    db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), page.after ? lt(apiKeys.id, page.after) : undefined))
      .orderBy(desc(apiKeys.id))
      .limit(page.limit + 1),
  ]);
  return rows;
}

export async function getApiKey(db: Database, tenantId: string, id: string): Promise<ApiKey | undefined> {
  const [[key]] = await inTenant(db, tenantId, [db.select().from(apiKeys).where(ofTenant(tenantId, id))]);
  return key;
}

/** Revokes the key at once (see `revokeCredential`); undefined when the tenant has no such key. */
export function revokeApiKey(db: Database, tenantId: string, id: string, acting: Acting): Promise<Revoked<typeof apiKeys> | undefined> {
  return revokeCredential(db, apiKeys, tenantId, id, acting);
}

export interface Replacement {
  id: string;
  displayPrefix: string;
  secretHash: string;
}

/**
 * The statements that rotate key `previous.id` into `created` (its response, computed beforehand):
 * the old key's expiry becomes min(its expiry, now + grace) and the new key takes the old one's
 * name, scopes and expiry, audited — or, if the old key is no longer live by the time the batch
 * runs, a division by zero (SQLSTATE 22012) rolls the whole batch back, Idempotency-Key claim
 * included, rather than let a response claim a rotation that did not happen.
 */
export function rotateApiKey(
  db: Database,
  previous: ApiKey,
  created: ApiKey,
  gracePeriodSeconds: number,
  { actor, requestId, clientRequestId }: Acting,
): BatchItem<'pg'>[] {
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
  return [
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
  ];
}
