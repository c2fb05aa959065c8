import { and, desc, eq, lt } from 'drizzle-orm';
import { partnerClients, type PartnerClient } from '../../db/schema.ts';
import { type Acting, auditEvent } from './audit.ts';
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
