import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { apiKeys, tenants, type ApiKey, type Tenant } from '../../db/schema.ts';
import { type Database, inTenant } from './client.ts';

export type NewTenant = Omit<typeof tenants.$inferInsert, 'createdAt' | 'updatedAt'>;
export type NewApiKey = Omit<typeof apiKeys.$inferInsert, 'createdAt' | 'lastUsedAt' | 'revokedAt'>;
export type TenantChanges = Partial<Pick<Tenant, 'name' | 'industry' | 'sizeBand' | 'region' | 'benchmarkOptIn'>>;

/** A tenant and its first API key, in one transaction: a tenant never exists without a way in. */
export async function createTenantWithKey(db: Database, tenant: NewTenant, key: NewApiKey) {
  const [[created], [createdKey]] = await inTenant(db, tenant.id, [
    db.insert(tenants).values(tenant).returning(),
    db.insert(apiKeys).values(key).returning(),
  ]);
  return { tenant: created!, apiKey: createdKey! };
}

export interface KeyOwner {
  tenant: Tenant;
  apiKey: ApiKey;
}

/** The live (not revoked, not expired) key with this hash and its tenant, or undefined. */
export async function findLiveApiKey(db: Database, secretHash: string): Promise<KeyOwner | undefined> {
  const [row] = await db
    .select({ tenant: tenants, apiKey: apiKeys })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(
      and(
        eq(apiKeys.secretHash, secretHash),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)),
      ),
    )
    .limit(1);
  return row;
}

export async function updateTenant(db: Database, tenantId: string, changes: TenantChanges): Promise<Tenant | undefined> {
  const [[updated]] = await inTenant(db, tenantId, [
    db
      .update(tenants)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(tenants.id, tenantId))
      .returning(),
  ]);
  return updated;
}
