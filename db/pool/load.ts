/**
 * Writes the reference pool through the API's own insert path: per organization one transaction,
 * tenant and units by plain inserts, then the ratings in chunks with the statements of
 * `insertExternalRatings` / `insertInternalRatings` (units' check, jsonb_to_recordset insert,
 * rollup upsert), rendered by drizzle and run with `pg`. Runs as the tables' owner: creating
 * tenants is an operator's act outside any tenant's request, and the owner URL is the one every
 * setup has (MIGRATION_DATABASE_URL); the tenant is still set in each transaction, as the API does.
 *
 * Organization ids come from the seed, so a second run skips the organizations already there:
 * an interrupted load resumes, a complete one costs one query.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { PgInsert } from 'drizzle-orm/pg-core';
import type { PgRaw } from 'drizzle-orm/pg-core/query-builders/raw';
import pg from 'pg';
import { createDatabase } from '../../worker/db/client.ts';
import { insertExternalRatings } from '../../worker/db/external-ratings.ts';
import { insertInternalRatings } from '../../worker/db/internal-ratings.ts';
import { tenants, units } from '../schema.ts';
import { DEFAULT_POOL_SEED, generateOrganization, POOL_ORGANIZATIONS, type PoolOrganization, poolTenantId } from './generate.ts';

/** Rows per insert statement: one jsonb parameter each, as a 1,000-item API batch sends. */
const CHUNK = 1000;
const CONNECTIONS = 4;

export interface LoadPoolOptions {
  /** The owner's URL (see above). */
  databaseUrl: string;
  seed?: number;
  /** The pool covers four complete quarters before this, and its quarter up to it. */
  now?: Date;
  organizations?: number;
  onProgress?: (progress: { done: number; total: number; ratings: number }) => void;
}

export interface LoadPoolResult {
  organizations: number;
  /** Organizations written by this run; 0 when the pool was already there. */
  loaded: number;
  externalRatings: number;
  internalRatings: number;
  milliseconds: number;
}

// A client that never connects: it only renders the worker's statements.
const db = createDatabase({ DATABASE_URL: 'postgres://render:only@127.0.0.1:1/none', LOCAL_NEON_ENDPOINT: undefined });

/** A statement of the worker's, as text and parameters for `pg`. */
function rendered(query: BatchItem<'pg'>): pg.QueryConfig {
  const { sql: text, params } = 'toSQL' in query ? (query as PgInsert).toSQL() : (query as PgRaw<unknown>).getQuery();
  return { text, values: params };
}

function chunks<T>(rows: T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));
}

function statements(org: PoolOrganization, receivedAt: Date): pg.QueryConfig[] {
  const tenantId = org.tenant.id;
  return [
    rendered(db.insert(tenants).values(org.tenant)),
    rendered(db.insert(units).values(org.units.map((unit) => ({ ...unit, tenantId })))),
    ...chunks(org.external).flatMap((rows) => insertExternalRatings(db, tenantId, rows, receivedAt).map(rendered)),
    ...chunks(org.internal).flatMap((rows) => insertInternalRatings(db, tenantId, rows).map(rendered)),
  ];
}

export async function loadReferencePool(options: LoadPoolOptions): Promise<LoadPoolResult> {
  const { databaseUrl, seed = DEFAULT_POOL_SEED, now = new Date(), organizations = POOL_ORGANIZATIONS, onProgress } = options;
  const started = performance.now();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
  try {
    const ids = Array.from({ length: organizations }, (_, index) => poolTenantId(seed, index));
    const { rows } = await pool.query<{ id: string }>('select id from tenants where id = any($1::uuid[])', [ids]);
    const present = new Set(rows.map((row) => row.id));
    const pending = ids.flatMap((id, index) => (present.has(id) ? [] : [index]));
    const result = { organizations, loaded: 0, externalRatings: 0, internalRatings: 0 };
    const loadNext = async (): Promise<void> => {
      for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
        const org = generateOrganization(seed, index, now);
        const client = await pool.connect();
        try {
          await client.query('begin');
          await client.query(`select set_config('app.tenant_id', $1, true)`, [org.tenant.id]);
          for (const statement of statements(org, now)) await client.query(statement);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        } finally {
          client.release();
        }
        result.loaded++;
        result.externalRatings += org.external.length;
        result.internalRatings += org.internal.length;
        onProgress?.({ done: present.size + result.loaded, total: organizations, ratings: result.externalRatings + result.internalRatings });
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loadNext));
    return { ...result, milliseconds: performance.now() - started };
  } finally {
    await pool.end();
  }
}
