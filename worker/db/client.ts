import { neon, neonConfig, NeonQueryPromise } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/neon-http';
import type { Env } from '../env.ts';
import { isDatabaseTimeout, isDatabaseUnavailable } from './errors.ts';
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
  // No `schema`: nothing uses drizzle's relational queries, and building their config cost every isolate's start.
  return drizzle({ client: neon(env.DATABASE_URL, fetchOptions ? { fetchOptions } : {}), casing: 'snake_case' });
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

/**
 * A statement that must lead a request's first round trip, and what becomes of its answer: the
 * authentication of a tenant request (worker/http/auth.ts), so that it, the tenant context and the
 * request's work are one transaction, one round trip.
 */
export interface Lead {
  /** Built when the first round trip leaves. */
  statement(): { query: string; params: unknown[] };
  /** Its rows, when the transaction committed. */
  accept(rows: Record<string, unknown>[]): void;
  /** The error that aborted the transaction: the error to throw instead if it is the lead's own refusal, else undefined. */
  refuse(error: unknown): Error | undefined;
}

/** The Neon driver's query function as drizzle uses it: `query()` builds, `transaction()` sends a batch. */
interface Client {
  query(text: string, params?: unknown[], options?: object): NeonQueryPromise<boolean, boolean>;
  transaction(queries: NeonQueryPromise<boolean, boolean>[], options?: object): Promise<unknown[]>;
}

/**
 * `db` with `lead` put in front of its first round trip, a single query or a batch alike: both are
 * sent as one transaction that starts with the lead's statement. Round trips made while the first is
 * in flight wait for it. A refusal is thrown by every round trip after it too; a transaction that
 * failed for another reason (a later statement's) leaves the lead to the next round trip, or to
 * `settle()`, which sends it alone when no round trip carried it: false, sending nothing, when the
 * last one got no answer (the database is down or slow, and the request already says so).
 */
export function withLead(db: Database, lead: Lead): { db: Database; settle(): Promise<boolean> } {
  const client = db.$client as unknown as Client;
  let led = false;
  let unanswered = false;
  let refusal: Error | undefined;
  let inFlight: Promise<unknown> | undefined;

  async function trip(queries: NeonQueryPromise<boolean, boolean>[], options?: object): Promise<unknown[]> {
    while (inFlight) await inFlight.catch(() => undefined);
    if (refusal) throw refusal;
    if (led) return client.transaction(queries, options);
    const { query, params } = lead.statement();
    const attempt = client.transaction([client.query(query, params, { arrayMode: false, fullResults: false }), ...queries], options);
    inFlight = attempt;
    try {
      const [rows, ...results] = await attempt;
      lead.accept(rows as Record<string, unknown>[]);
      led = true;
      return results;
    } catch (error) {
      refusal = lead.refuse(error);
      unanswered = !refusal && (isDatabaseTimeout(error) || isDatabaseUnavailable(error));
      throw refusal ?? error;
    } finally {
      inFlight = undefined;
    }
  }

  const query = (text: string, params?: unknown[], options?: object) =>
    new NeonQueryPromise(async () => (await trip([client.query(text, params, options)]))[0], { query: text, params: params ?? [] }, options);
  const wrapped = Object.assign(
    () => {
      throw new Error('withLead: use query() or transaction()');
    },
    { query, transaction: trip },
  ) as unknown as Database['$client'];
  return {
    db: drizzle({ client: wrapped, casing: 'snake_case' }),
    async settle() {
      if (led || refusal) return true;
      if (unanswered) return false;
      await trip([]);
      return true;
    },
  };
}
