import { eq, sql } from 'drizzle-orm';
import { apiKeys, partnerClients, tenants, type ApiKey, type PartnerClient, type Tenant } from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Database } from './client.ts';

export type CredentialStatus = 'active' | 'revoked' | 'expired' | 'unknown' | 'invalid';

export interface KeyOwner {
  tenant: Tenant;
  apiKey: ApiKey;
}

function statusOf(result: { rows: unknown[] }): CredentialStatus {
  return (result.rows[0] as { status: CredentialStatus }).status;
}

/**
 * One round trip: `authenticate_api_key` (migration 0001) checks the key and, only when it is live,
 * sets the transaction's tenant; the select after it then sees that tenant's rows, through row-level
 * security like any other query. A revoked key's use is audited by the function itself.
 */
export async function authenticateApiKey(
  db: Database,
  secretHash: string,
  requestId: string,
): Promise<{ status: CredentialStatus; owner?: KeyOwner }> {
  const [status, [owner]] = await db.batch([
    db.execute(sql`select authenticate_api_key(${secretHash}, ${uuidv7()}, ${requestId}) as status`),
    db
      .select({ tenant: tenants, apiKey: apiKeys })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.secretHash, secretHash))
      .limit(1),
  ]);
  return { status: statusOf(status), ...(owner ? { owner } : {}) };
}

/**
 * The token endpoint's client authentication, the same way: `authenticate_partner_client` checks id
 * and secret hash and sets the tenant only for a live client, so the select sees the row only then.
 */
export async function authenticatePartnerClient(
  db: Database,
  clientId: string,
  secretHash: string,
  requestId: string,
): Promise<{ status: CredentialStatus; client?: PartnerClient }> {
  const [status, [client]] = await db.batch([
    db.execute(sql`select authenticate_partner_client(${clientId}, ${secretHash}, ${uuidv7()}, ${requestId}) as status`),
    db.select().from(partnerClients).where(eq(partnerClients.id, clientId)).limit(1),
  ]);
  return { status: statusOf(status), ...(client ? { client } : {}) };
}
