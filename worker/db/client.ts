import { neon, neonConfig } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/neon-http';
import * as schema from '../../db/schema.ts';
import type { Env } from '../env.ts';
import { useLocalNeonEndpoint } from './local-neon.ts';

/**
 * Drizzle over the Neon driver's HTTP path: each query or batch is one HTTP round trip, and
 * nothing outlives the request (Workers cannot keep sockets between requests anyway).
 */
export function createDatabase(env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT'>) {
  if (env.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(neonConfig, env.LOCAL_NEON_ENDPOINT);
  return drizzle({ client: neon(env.DATABASE_URL), schema, casing: 'snake_case' });
}

export type Database = ReturnType<typeof createDatabase>;

type Batch = readonly [BatchItem<'pg'>, ...BatchItem<'pg'>[]];

/**
 * The statement that sets the tenant for the rest of a batch, transaction-locally; for batches that
 * go through several tenants (jobs), `inTenant` for those of one.
 */
export function setTenant(db: Database, tenantId: string) {
  return db.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
}

/**
 * Runs `queries` as one batch transaction (one round trip) with the tenant context set first,
 * transaction-locally: Neon pools connections, so a session-level setting would leak to the next
 * tenant. Row-level security policies read it back with `current_setting('app.tenant_id', true)`.
 */
export async function inTenant<T extends Batch>(db: Database, tenantId: string, queries: T): Promise<BatchResponse<T>> {
  const [, ...results] = await db.batch([setTenant(db, tenantId), ...queries]);
  return results as BatchResponse<T>;
}
