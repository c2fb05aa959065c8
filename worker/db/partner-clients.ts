import { and, desc, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { auditEvents, partnerClients, tenants, type PartnerClient, type Tenant } from '../../db/schema.ts';
import { type Acting, auditEvent, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { credentialOf, revokeCredential } from './credentials.ts';

const ofTenant = (tenantId: string, id: string) => credentialOf(partnerClients, tenantId, id);

/** The writes that register a client, given whole (its timestamps too) so its resource is known before they run. */
export function insertPartnerClient(db: Database, client: PartnerClient, { actor, requestId, clientRequestId }: Acting) {
  return [
    db.insert(partnerClients).values(client),
    auditEvent(db, {
      ...actor,
      tenantId: client.tenantId,
      action: 'partner_client.created',
      targetId: client.id,
      requestId,
      clientRequestId,
      details: { name: client.name, scopes: client.scopes },
    }),
  ];
}

/** A page of the tenant's partner clients, newest first, after the id `after` (cursor pagination). */
export async function listPartnerClients(
  db: Database,
  tenantId: string,
  page: { limit: number; after?: string },
): Promise<PartnerClient[]> {
  const [rows] = await inTenant(db, tenantId, [
    db
      .select()
      .from(partnerClients)
      .where(and(eq(partnerClients.tenantId, tenantId), page.after ? lt(partnerClients.id, page.after) : undefined))
      .orderBy(desc(partnerClients.id))
      .limit(page.limit + 1),
  ]);
  return rows;
}

export async function getPartnerClient(db: Database, tenantId: string, id: string): Promise<PartnerClient | undefined> {
  const [[client]] = await inTenant(db, tenantId, [db.select().from(partnerClients).where(ofTenant(tenantId, id))]);
  return client;
}

/**
 * Revokes the client (its tokens stop working on their next use; see `revokeCredential`).
 * Undefined when the tenant has no such client.
 */
export async function revokePartnerClient(db: Database, tenantId: string, id: string, acting: Acting): Promise<PartnerClient | undefined> {
  return (await revokeCredential(db, partnerClients, tenantId, id, acting))?.credential;
}

export type TokenHolder = { status: 'active'; tenant: Tenant; client: PartnerClient } | { status: 'revoked' | 'unknown' };

/**
 * The check behind every access token, in one round trip: the client must still exist, belong to
 * the token's tenant and not be revoked. A revoked client's attempt is audited in the same batch.
 */
export async function partnerClientOfToken(
  db: Database,
  tenantId: string,
  clientId: string,
  requestId: string,
): Promise<TokenHolder> {
  const [[holder], refused] = await inTenant(db, tenantId, [
    db
      .select({ tenant: tenants, client: partnerClients })
      .from(partnerClients)
      .innerJoin(tenants, eq(tenants.id, partnerClients.tenantId))
      .where(and(ofTenant(tenantId, clientId), isNull(partnerClients.revokedAt))),
    auditEventIf(
      db,
      {
        actorType: 'partner_client',
        actorId: clientId,
        tenantId,
        action: 'credential.refused',
        targetId: clientId,
        requestId,
        details: { reason: 'revoked' },
      },
      sql`exists (${db
        .select({ id: partnerClients.id })
        .from(partnerClients)
        .where(and(ofTenant(tenantId, clientId), isNotNull(partnerClients.revokedAt)))})`,
    ).returning({ id: auditEvents.id }),
  ]);
  if (holder) return { status: 'active', ...holder };
  return { status: refused.length > 0 ? 'revoked' : 'unknown' };
}
