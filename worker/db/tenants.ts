import { eq, sql } from 'drizzle-orm';
import { apiKeys, tenants, type Tenant } from '../../db/schema.ts';
import { movedCohortAttributes } from '../domain/benchmarks.ts';
import { type Acting, type Actor, auditEvent } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { TenantExists, UNIQUE_VIOLATION } from './errors.ts';
import { type IdempotencyClaim, type Replay, writeOnce } from './idempotency.ts';

export type NewTenant = typeof tenants.$inferInsert;
export type NewApiKey = Omit<typeof apiKeys.$inferInsert, 'lastUsedAt' | 'revokedAt'>;
export type TenantChanges = Partial<
  Pick<Tenant, 'name' | 'industry' | 'sizeBand' | 'region' | 'benchmarkOptIn' | 'allowedOrigins'>
>;

/**
 * Creates a tenant and its first API key, audited, in one transaction (the tenant's own): a tenant
 * never exists without a way in. Once per `claim`; a tenant that exists already is `TenantExists`
 * (its id comes from the Idempotency-Key, whose record may have expired).
 */
export function createTenantWithKey(
  db: Database,
  tenant: NewTenant,
  key: NewApiKey,
  { requestId, clientRequestId }: Omit<Acting, 'actor'>,
  claim: IdempotencyClaim | undefined,
): Promise<Replay | undefined> {
  const operator: Actor = { actorType: 'operator', actorId: null };
  return writeOnce(db, tenant.id, claim, [
    db.insert(tenants).values(tenant),
    db.insert(apiKeys).values(key),
    auditEvent(db, { ...operator, tenantId: tenant.id, action: 'tenant.created', targetId: tenant.id, requestId, clientRequestId }),
    auditEvent(db, { ...operator, tenantId: tenant.id, action: 'api_key.created', targetId: key.id, requestId, clientRequestId }),
  ], { [UNIQUE_VIOLATION]: () => new TenantExists(tenant.id) });
}

/**
 * Applies `changes`, audited in the same transaction. A change of cohort attributes records the
 * values before too (`details.cohortsBefore`): who moved the tenant between cohorts, and from where.
 */
export async function updateTenant(
  db: Database,
  tenant: Tenant,
  changes: TenantChanges,
  { actor, requestId, clientRequestId }: Acting,
): Promise<Tenant | undefined> {
  const tenantId = tenant.id;
  const moved = movedCohortAttributes(tenant, changes);
  const cohortsBefore = moved.length > 0 ? { cohortsBefore: Object.fromEntries(moved.map((attribute) => [attribute, tenant[attribute]])), cohortsEffective: 'nextSnapshot' } : {};
  const [[updated]] = await inTenant(db, tenantId, [
    db
      .update(tenants)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(tenants.id, tenantId))
      .returning(),
    auditEvent(db, { ...actor, tenantId, action: 'tenant.updated', targetId: tenantId, requestId, clientRequestId, details: { changes, ...cohortsBefore } }),
  ]);
  return updated;
}
