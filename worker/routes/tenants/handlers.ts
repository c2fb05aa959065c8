import type { RouteHandler } from '@hono/zod-openapi';
import type { ApiKey, Tenant } from '../../../db/schema.ts';
import { createTenantWithKey, updateTenant as updateTenantRow } from '../../db/tenants.ts';
import { movedCohortAttributes } from '../../domain/benchmarks.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { generateApiKey } from '../../domain/secrets.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, settledTenantOf, tenantOf } from '../../http/auth.ts';
import { idempotencyKeyOf, respondOnce } from '../../http/idempotency.ts';
import { derivedUuid } from '../../domain/pseudonyms.ts';
import { newApiKeyResource } from '../api-keys/handlers.ts';
import type { CreateTenantRoute, GetTenantRoute, UpdateTenantRoute } from './routes.ts';

export function tenantResource(tenant: Tenant) {
  return {
    id: tenant.id,
    name: tenant.name,
    industry: tenant.industry,
    sizeBand: tenant.sizeBand,
    region: tenant.region,
    benchmarkOptIn: tenant.benchmarkOptIn,
    allowedOrigins: tenant.allowedOrigins,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

/** The operator has no credential row; its Idempotency-Keys are filed under this id. */
const OPERATOR_CREDENTIAL = '00000000-0000-0000-0000-000000000000';

export const createTenant: RouteHandler<CreateTenantRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const idempotencyKey = idempotencyKeyOf(c);
  // With a key, the id comes from it: a retry lands on the same tenant, where the key's record is.
  const tenantId = idempotencyKey ? await derivedUuid(c.env.HASH_SECRET, 'operator-tenant', idempotencyKey) : uuidv7();
  const now = new Date();
  const tenant: Tenant = { id: tenantId, ...body, createdAt: now, updatedAt: now };
  const apiKeyId = uuidv7();
  const secret = await generateApiKey(tenantId, apiKeyId);
  const apiKey: ApiKey = {
    id: apiKeyId,
    tenantId,
    name: 'First admin key',
    displayPrefix: secret.displayPrefix,
    secretHash: secret.hash,
    scopes: ['admin', 'ratings:write', 'ratings:read', 'reports:read'],
    createdAt: now,
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    rotatedFromId: null,
  };
  return respondOnce(
    c,
    {
      status: 201,
      body: { tenant: tenantResource(tenant), apiKey: newApiKeyResource<string | null>(apiKey, secret.secret) },
      stored: { tenant: tenantResource(tenant), apiKey: newApiKeyResource(apiKey, null) },
      headers: () => ({ 'Cache-Control': 'no-store' }),
      scope: { tenantId, credentialId: OPERATOR_CREDENTIAL },
    },
    (claim) => createTenantWithKey(c.get('db'), tenant, apiKey, { requestId: c.get('requestId'), clientRequestId: c.get('clientRequestId') }, claim),
  );
};

export const getTenant: RouteHandler<GetTenantRoute, AppEnv> = async (c) =>
  // The authentication reads the tenant with the key: its round trip is the request's only one.
  c.json(tenantResource((await settledTenantOf(c)).tenant), 200);

export const updateTenant: RouteHandler<UpdateTenantRoute, AppEnv> = async (c) => {
  const { tenant } = tenantOf(c.get('principal'));
  const changes = c.req.valid('json');
  const updated = await updateTenantRow(c.get('db'), tenant.id, changes, actingOf(c));
  // The row was read a moment ago with the key; it can only vanish if deleted in between.
  if (!updated) throw new Error(`tenant ${tenant.id} disappeared during update`);
  const moved = movedCohortAttributes(tenant, changes);
  return c.json(
    {
      ...tenantResource(updated),
      ...(moved.length > 0
        ? {
            benchmarkCohorts: {
              takesEffect: 'nextSnapshot' as const,
              detail: `The new ${moved.join(', ')} counts from the next benchmark snapshot (computed daily); until then benchmarks show the cohorts the current snapshot counted the tenant in, and no rank in the new one.`,
            },
          }
        : {}),
    },
    200,
  );
};
