import { and, eq, getTableColumns, getTableName, isNull, sql } from 'drizzle-orm';
import { apiKeys, partnerClients, tenants, type ApiKey, type AuditAction, type PartnerClient, type Scope, type Tenant } from '../../db/schema.ts';
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
 * A key issued before keys named their tenant (see domain/secrets.ts), in a round trip of its own:
 * `authenticate_api_key` (migration 0001) checks the key and, only when it is live, sets the
 * transaction's tenant; the select after it then sees that tenant's rows, through row-level security
 * like any other query. A revoked key's use is audited by the function itself.
 */
export async function authenticateApiKey(
  db: Database,
  secretHash: string,
  requestId: string,
  clientRequestId?: string,
): Promise<{ status: CredentialStatus; owner?: KeyOwner }> {
  const [status, [owner]] = await db.batch([
    db.execute(sql`select authenticate_api_key(${secretHash}, ${uuidv7()}, ${requestId}, ${clientRequestId ?? null}) as status`),
    db
      .select({ tenant: tenants, apiKey: apiKeys })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.secretHash, secretHash))
      .limit(1),
  ]);
  return { status: statusOf(status), ...(owner ? { owner } : {}) };
}

/** A tenant credential as the request presents it: whose it says it is, and what proves it. */
export type CredentialClaim =
  | { type: 'api_key'; tenantId: string; id: string; secretHash: string }
  | { type: 'partner_client'; tenantId: string; id: string; tokenScopes: readonly Scope[] };

/** What the route needs of the credential's scopes, as `authenticate_request` (migration 0023) reads it. */
export interface ScopeNeeds {
  grantsAll: Scope;
  anyOf?: Scope[];
  notBoth?: [Scope[], Scope[]];
  grants?: readonly Scope[];
}

/** What the database knows of a live credential: its tenant and the scopes it may use now. */
export interface Authenticated {
  tenant: Tenant;
  scopes: Scope[];
}

/**
 * The statement a tenant request's first round trip starts with (see client.ts `withLead`): it checks
 * the claim and `needs`, sets the transaction's tenant, and answers `authenticated()`'s input; a
 * refusal raises and aborts the batch (`refusalOf`).
 */
export function authenticationStatement(claim: CredentialClaim, needs: ScopeNeeds): { query: string; params: unknown[] } {
  return {
    query: 'select authenticate_request($1, $2, $3, $4, $5, $6) as authentication',
    params: [
      claim.type,
      claim.tenantId,
      claim.id,
      claim.type === 'api_key' ? claim.secretHash : null,
      claim.type === 'partner_client' ? claim.tokenScopes : null,
      JSON.stringify(needs),
    ],
  };
}

const tenantColumns = Object.entries(getTableColumns(tenants));

/** The statement's answer (one row of objects); the tenant comes as JSON, decoded as its columns decode. */
export function authenticated(rows: Record<string, unknown>[]): Authenticated {
  const { tenant, scopes } = rows[0]!.authentication as { tenant: Record<string, unknown>; scopes: Scope[] };
  const row = Object.fromEntries(tenantColumns.map(([key, column]) => [key, column.mapFromDriverValue(tenant[column.name])]));
  return { tenant: row as Tenant, scopes };
}

/** Why `authenticate_request` refused, read off the error that aborted the batch; undefined for any other error. */
export type Refusal =
  | { status: 401; reason: 'unknown' | 'revoked' | 'expired' }
  | { status: 403; reason: 'scope' | 'grant'; scopes: string[] };

export function refusalOf(error: unknown): Refusal | undefined {
  const { code, message, detail } = (error ?? {}) as { code?: string; message?: string; detail?: string };
  if (code === 'SC401') return { status: 401, reason: message as 'unknown' | 'revoked' | 'expired' };
  if (code === 'SC403') return { status: 403, reason: message as 'scope' | 'grant', scopes: detail ? detail.split(', ') : [] };
  return undefined;
}

/** Records the refused use of a revoked credential: the refusal rolled back the batch it was in. */
export async function auditRefusedCredential(db: Database, claim: CredentialClaim, requestId: string, clientRequestId?: string): Promise<void> {
  const secretHash = claim.type === 'api_key' ? claim.secretHash : null;
  await db.execute(sql`select audit_refused_credential(${claim.type}, ${claim.tenantId}, ${claim.id}, ${secretHash}, ${uuidv7()}, ${requestId}, ${clientRequestId ?? null})`);
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
  clientRequestId?: string,
): Promise<{ status: CredentialStatus; client?: PartnerClient }> {
  const [status, [client]] = await db.batch([
    db.execute(sql`select authenticate_partner_client(${clientId}, ${secretHash}, ${uuidv7()}, ${requestId}, ${clientRequestId ?? null}) as status`),
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
