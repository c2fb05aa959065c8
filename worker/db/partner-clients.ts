import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { auditEvents, partnerClients, tenants, type PartnerClient, type Tenant } from '../../db/schema.ts';
import { type Acting, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { createRow, getRow, listPage, ofTenant as ofTenantRow, type PageRequest } from './collections.ts';
import type { IdempotencyClaim, Replay } from './idempotency.ts';

const ofTenant = (tenantId: string, id: string) => ofTenantRow(partnerClients, tenantId, id);

/** Registers a client given whole (its timestamps too) so its resource is known before the write runs; once per `claim`. */
export function createPartnerClient(db: Database, client: PartnerClient, acting: Acting, claim: IdempotencyClaim | undefined): Promise<Replay | undefined> {
  return createRow(db, partnerClients, client, { action: 'partner_client.created', details: { name: client.name, scopes: client.scopes } }, acting, claim);
}

/** A page of the tenant's partner clients, newest first (cursor pagination). */
export function listPartnerClients(db: Database, tenantId: string, page: PageRequest): Promise<PartnerClient[]> {
  return listPage(db, partnerClients, tenantId, page);
}

export function getPartnerClient(db: Database, tenantId: string, id: string): Promise<PartnerClient | undefined> {
  return getRow(db, partnerClients, tenantId, id);
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
