import { eq, sql } from 'drizzle-orm';
import { apiKeys, tenants, type Tenant } from '../../db/schema.ts';
import { type Actor, auditEvent } from './audit.ts';
import { type Database, inTenant } from './client.ts';

export type NewTenant = Omit<typeof tenants.$inferInsert, 'createdAt' | 'updatedAt'>;
export type NewApiKey = Omit<typeof apiKeys.$inferInsert, 'createdAt' | 'lastUsedAt' | 'revokedAt'>;
export type TenantChanges = Partial<
  Pick<Tenant, 'name' | 'industry' | 'sizeBand' | 'region' | 'benchmarkOptIn' | 'allowedOrigins'>
>;

/** A tenant and its first API key, audited, in one transaction: a tenant never exists without a way in. */
export async function createTenantWithKey(db: Database, tenant: NewTenant, key: NewApiKey, requestId: string) {
  const operator: Actor = { actorType: 'operator', actorId: null };
  const [[created], [createdKey]] = await inTenant(db, tenant.id, [
    db.insert(tenants).values(tenant).returning(),
    db.insert(apiKeys).values(key).returning(),
    auditEvent(db, { ...operator, tenantId: tenant.id, action: 'tenant.created', targetId: tenant.id, requestId }),
    auditEvent(db, { ...operator, tenantId: tenant.id, action: 'api_key.created', targetId: key.id, requestId }),
  ]);
  return { tenant: created!, apiKey: createdKey! };
}

export async function updateTenant(
  db: Database,
  tenantId: string,
  changes: TenantChanges,
  actor: Actor,
  requestId: string,
): Promise<Tenant | undefined> {
  const [[updated]] = await inTenant(db, tenantId, [
    db
      .update(tenants)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(tenants.id, tenantId))
      .returning(),
    auditEvent(db, { ...actor, tenantId, action: 'tenant.updated', targetId: tenantId, requestId, details: { changes } }),
  ]);
  return updated;
}
