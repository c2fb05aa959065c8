import { eq, sql } from 'drizzle-orm';
import { apiKeys, tenants, type Tenant } from '../../db/schema.ts';
import { COHORT_ATTRIBUTES } from '../domain/benchmarks.ts';
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
 * Those are read by the audit statement, which runs before the update, so nothing of the row need
 * be known before the one round trip.
 */
export async function updateTenant(
  db: Database,
  tenantId: string,
  changes: TenantChanges,
  { actor, requestId, clientRequestId }: Acting,
): Promise<Tenant | undefined> {
  const changed = COHORT_ATTRIBUTES.filter((attribute) => changes[attribute] !== undefined);
  const moved = sql.join(
    changed.map((attribute) => sql`${attribute}::text, case when ${tenants[attribute]}::text <> ${changes[attribute]} then ${tenants[attribute]} end`),
    sql`, `,
  );
  const cohortsBefore = changed.length === 0
    ? sql`'{}'::jsonb`
    : sql`(select case when moved = '{}'::jsonb then '{}'::jsonb else jsonb_build_object('cohortsBefore', moved, 'cohortsEffective', 'nextSnapshot') end
           from (select jsonb_strip_nulls(jsonb_build_object(${moved})) as moved from ${tenants} where ${tenants.id} = ${tenantId}) as cohorts)`;
  const details = sql`jsonb_build_object('changes', ${JSON.stringify(changes)}::jsonb) || ${cohortsBefore}`;
  const [, [updated]] = await inTenant(db, tenantId, [
    auditEvent(db, { ...actor, tenantId, action: 'tenant.updated', targetId: tenantId, requestId, clientRequestId, details }),
    db
      .update(tenants)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(tenants.id, tenantId))
      .returning(),
  ]);
  return updated;
}
