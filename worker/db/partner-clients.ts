import { partnerClients, type PartnerClient } from '../../db/schema.ts';
import type { Acting } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { getRow, listPage, ofTenant as ofTenantRow, type PageRequest } from './collections.ts';
import { createRow } from './create-row.ts';
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
