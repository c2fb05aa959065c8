import { neon, neonConfig } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/neon-http';
import * as schema from '../../db/schema.ts';
import type { Env } from '../env.ts';
import { useLocalNeonEndpoint } from './local-neon.ts';

/**
 * How long one database round trip may take before the request gives up on it (503). Above Neon's
 * cold start (a suspended compute wakes in well under a second, a few at worst) and far above a
 * 1,000-item batch (tens of ms), yet short enough that a client is told to retry long before its
 * own timeout (commonly 10-30 s) would fire.
 */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5_000;

/** The `DATABASE_TIMEOUT_MS` binding (a positive integer of milliseconds), else the default. */
export function databaseTimeoutMs(env: Pick<Env, 'DATABASE_TIMEOUT_MS'>): number {
  const value = Number(env.DATABASE_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_DATABASE_TIMEOUT_MS;
}

export interface DatabaseOptions {
  /** Aborts each round trip that takes longer (`TimeoutError`); none when absent (jobs). */
  timeoutMs?: number;
}

/**
 * Drizzle over the Neon driver's HTTP path: each query or batch is one HTTP round trip, and
 * nothing outlives the request (Workers cannot keep sockets between requests anyway).
 */
export function createDatabase(env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT'>, options: DatabaseOptions = {}) {
  if (env.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(neonConfig, env.LOCAL_NEON_ENDPOINT);
  const { timeoutMs } = options;
  // The driver spreads fetchOptions into every fetch it makes, so a getter gives each round trip
  // its own deadline (a request may make many: a CSV export pages through the table).
  const fetchOptions = timeoutMs === undefined ? undefined : { get signal() { return AbortSignal.timeout(timeoutMs); } };
  return drizzle({ client: neon(env.DATABASE_URL, fetchOptions ? { fetchOptions } : {}), schema, casing: 'snake_case' });
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
