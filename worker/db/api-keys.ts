import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { apiKeys, type ApiKey } from '../../db/schema.ts';
import { type Acting, auditEvent, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { credentialOf, revokeCredential } from './credentials.ts';

const ofTenant = (tenantId: string, id: string) => credentialOf(apiKeys, tenantId, id);

/** The writes that issue a key, given whole (its timestamps too) so its resource is known before they run. */
export function insertApiKey(db: Database, key: ApiKey, { actor, requestId }: Acting) {
  return [
    db.insert(apiKeys).values(key),
    auditEvent(db, {
      ...actor,
      tenantId: key.tenantId,
      action: 'api_key.created',
      targetId: key.id,
      requestId,
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
export function revokeApiKey(db: Database, tenantId: string, id: string, acting: Acting): Promise<ApiKey | undefined> {
  return revokeCredential(db, apiKeys, tenantId, id, acting);
}

export interface Replacement {
  id: string;
  displayPrefix: string;
  secretHash: string;
}

/**
 * Rotation, in one transaction: a new key with the old one's name, scopes and expiry, and the old
 * key's expiry brought forward to the end of the grace period (never pushed back). Only a live key
 * (neither revoked nor expired) is rotated; otherwise `created` is undefined and `previous` says
 * whether the key exists at all.
 */
export async function rotateApiKey(
  db: Database,
  tenantId: string,
  id: string,
  replacement: Replacement,
  gracePeriodSeconds: number,
  { actor, requestId }: Acting,
): Promise<{ created?: ApiKey; previous?: ApiKey }> {
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
  const [[created], , [previous]] = await inTenant(db, tenantId, [
    // Statements of one WITH share a snapshot: this select reads the old key as it was before the update.
    db
      .with(shortened)
      .insert(apiKeys)
      .select((qb) =>
        qb
          .select({
            id: sql`${replacement.id}`.as('id'),
            tenantId: apiKeys.tenantId,
            name: apiKeys.name,
            displayPrefix: sql`${replacement.displayPrefix}`.as('displayPrefix'),
            secretHash: sql`${replacement.secretHash}`.as('secretHash'),
            scopes: apiKeys.scopes,
            rotatedFromId: apiKeys.id,
            createdAt: sql`now()`.as('createdAt'),
            lastUsedAt: sql`null`.as('lastUsedAt'),
            expiresAt: apiKeys.expiresAt,
            revokedAt: sql`null`.as('revokedAt'),
          })
          .from(apiKeys)
          .innerJoin(shortened, eq(shortened.id, apiKeys.id)),
      )
      .returning(),
    auditEventIf(
      db,
      {
        ...actor,
        tenantId,
        action: 'api_key.rotated',
        targetId: id,
        requestId,
        details: { gracePeriodSeconds, newKeyId: replacement.id },
      },
      sql`exists (${db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, replacement.id))})`,
    ),
    db.select().from(apiKeys).where(ofTenant(tenantId, id)),
  ]);
  return { created, previous };
}
