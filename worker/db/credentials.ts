import { and, eq, getTableName, isNull, sql } from 'drizzle-orm';
import { apiKeys, partnerClients, tenants, type ApiKey, type AuditAction, type PartnerClient, type Tenant } from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import { type Acting, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { emitWebhookEvent } from './webhooks.ts';

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

/** The tables of tenant credentials: both have `id`, `tenantId` and `revokedAt`. */
export type CredentialTable = typeof apiKeys | typeof partnerClients;

/** The audit action of a revocation, by table. */
const REVOKED: Record<CredentialTable['_']['name'], AuditAction> = {
  api_keys: 'api_key.revoked',
  partner_clients: 'partner_client.revoked',
};

/** The credential `id` of the tenant, in `table`. */
export function credentialOf(table: CredentialTable, tenantId: string, id: string) {
  return and(eq(table.tenantId, tenantId), eq(table.id, id));
}

/** A revoked credential, and how many webhook deliveries its revocation wrote (to dispatch at once). */
export interface Revoked<T extends CredentialTable> {
  credential: T['$inferSelect'];
  webhookDeliveries: number;
}

/**
 * Revokes an API key or a partner client at once and returns it; one revoked before keeps its
 * revocation time and gets no second audit event. Undefined when the tenant has no such credential.
 */
export function revokeCredential<T extends CredentialTable>(
  db: Database,
  table: T,
  tenantId: string,
  id: string,
  acting: Acting,
): Promise<Revoked<T> | undefined>;
export async function revokeCredential(
  db: Database,
  table: CredentialTable,
  tenantId: string,
  id: string,
  { actor, requestId, clientRequestId }: Acting,
) {
  const revoked = db.$with('revoked').as(
    db
      .update(table)
      .set({ revokedAt: sql`now()` })
      .where(and(credentialOf(table, tenantId, id), isNull(table.revokedAt)))
      .returning({ id: table.id }),
  );
  const [, [row], , deliveries] = await inTenant(db, tenantId, [
    auditEventIf(
      db,
      { ...actor, tenantId, action: REVOKED[getTableName(table)], targetId: id, requestId, clientRequestId },
      sql`exists (select from ${revoked})`,
      revoked,
    ),
    db.select().from(table).where(credentialOf(table, tenantId, id)),
    ...(table === apiKeys ? apiKeyRevokedEvent(db, tenantId, id) : []),
  ]);
  return row && { credential: row, webhookDeliveries: (deliveries as { rowCount?: number } | undefined)?.rowCount ?? 0 };
}

/**
 * `api_key.revoked`, only if this transaction revoked the key: `now()` is the transaction's start,
 * so a key revoked by an earlier request has an older `revoked_at` and emits nothing again.
 */
function apiKeyRevokedEvent(db: Database, tenantId: string, id: string) {
  return emitWebhookEvent(
    db,
    { id: uuidv7(), tenantId, type: 'api_key.revoked' },
    sql`select jsonb_build_object('apiKey', jsonb_build_object('id', id, 'name', name, 'displayPrefix', display_prefix, 'revokedAt', revoked_at))
        from ${apiKeys} where ${credentialOf(apiKeys, tenantId, id)} and ${apiKeys.revokedAt} = now()`,
  );
}
