import type { RouteHandler } from '@hono/zod-openapi';
import type { Tenant } from '../../../db/schema.ts';
import { createTenantWithKey, updateTenant as updateTenantRow } from '../../db/tenants.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { generateApiKey } from '../../domain/secrets.ts';
import type { AppEnv } from '../../env.ts';
import { actorOf, tenantOf } from '../../http/auth.ts';
import { refuseIdempotencyKey } from '../../http/idempotency.ts';
import { newApiKeyResource } from '../api-keys/handlers.ts';
import { type CreateTenantRoute, type GetTenantRoute, TENANT_NOT_IDEMPOTENT, type UpdateTenantRoute } from './routes.ts';

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

export const createTenant: RouteHandler<CreateTenantRoute, AppEnv> = async (c) => {
  refuseIdempotencyKey(c, TENANT_NOT_IDEMPOTENT);
  const body = c.req.valid('json');
  const tenantId = uuidv7();
  const key = await generateApiKey();
  const { tenant, apiKey } = await createTenantWithKey(
    c.get('db'),
    { id: tenantId, ...body },
    {
      id: uuidv7(),
      tenantId,
      name: 'First admin key',
      displayPrefix: key.displayPrefix,
      secretHash: key.hash,
      scopes: ['admin', 'ratings:write', 'ratings:read', 'reports:read'],
    },
    c.get('requestId'),
  );
  c.header('Cache-Control', 'no-store');
  return c.json({ tenant: tenantResource(tenant), apiKey: newApiKeyResource(apiKey, key.secret) }, 201);
};

export const getTenant: RouteHandler<GetTenantRoute, AppEnv> = (c) =>
  // The auth lookup already read the tenant with the key: no second round trip.
  c.json(tenantResource(tenantOf(c.get('principal')).tenant), 200);

export const updateTenant: RouteHandler<UpdateTenantRoute, AppEnv> = async (c) => {
  const principal = tenantOf(c.get('principal'));
  const { tenant } = principal;
  const updated = await updateTenantRow(c.get('db'), tenant.id, c.req.valid('json'), actorOf(principal), c.get('requestId'));
  // The row was read a moment ago with the key; it can only vanish if deleted in between.
  if (!updated) throw new Error(`tenant ${tenant.id} disappeared during update`);
  return c.json(tenantResource(updated), 200);
};
