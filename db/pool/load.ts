/**
 * Writes generated organizations straight into Postgres with COPY: tenants, units and ratings,
 * then their rollups derived in SQL from the same definitions the API's writes
 * use (`addToRollups`), so the stored rollups equal what the insert path would have kept. About
 * ten times faster than sending the ratings through the API's statements, which matters because
 * `npm start` waits for it on a first run. Runs as the tables' owner: creating tenants is an
 * operator's act outside any tenant's request, and the owner URL is the one every setup has
 * (MIGRATION_DATABASE_URL); the owner is not subject to row-level security (no FORCE).
 *
 * Organization ids come from the seed, so a second run loads only those not there yet (one query
 * when the pool is complete). Each chunk of organizations is one transaction, so an interrupted load
 * leaves only whole organizations behind and the next run resumes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { addToRollups, EXTERNAL_ROLLUP, INTERNAL_ROLLUP } from '../../worker/db/rollups.ts';
import type { NewExternalRating } from '../../worker/db/external-ratings.ts';
import type { NewInternalRating } from '../../worker/db/internal-ratings.ts';
import { DEFAULT_POOL_SEED, generateOrganization, POOL_ORGANIZATIONS, type PoolOrganization, poolTenantId } from './generate.ts';

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

/** Rows of one table, keyed by column name; every row has the same keys. */
type Row = Record<string, string | number | boolean | null>;

/** A value in COPY's text format: `\N` for null, backslash escapes for the characters that delimit. */
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function copyValue(value: Row[string]): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  // Nearly every string (ids, enums, timestamps) needs no escape: test before replacing.
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/**
 * `COPY table (columns…) FROM STDIN` of `rows` (the first one's keys are the columns), streamed in slices so no
 * single string holds them all; a lazy iterable is drawn slice by slice while Postgres takes the previous one.
 */
export async function copyRows(client: pg.PoolClient | pg.Client, table: string, rows: Iterable<Row>): Promise<void> {
  const iterator = rows[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) return;
  const columns = Object.keys(first.value);
  const slices = function* () {
    let lines: string[] = [];
    for (let row: IteratorResult<Row> = first; !row.done; row = iterator.next()) {
      lines.push(`${columns.map((column) => copyValue(row.value[column]!)).join('\t')}\n`);
      if (lines.length === 2000) {
        yield lines.join('');
        lines = [];
      }
    }
    if (lines.length > 0) yield lines.join('');
  };
  const names = columns.map((column) => `"${column}"`).join(', ');
  await pipeline(Readable.from(slices()), client.query(copyFrom(`copy "${table}" (${names}) from stdin`)));
}

const dialect = new PgDialect();
const run = (client: pg.PoolClient | pg.Client, query: SQL) => {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return client.query(text, params);
};

/**
 * Adds to the rollups every rating of `tenantIds` (all when `since` is absent, else those that occurred
 * after `since.external`, a timestamp, and after `since.internal`, a day), with the definitions the
 * API's own writes use: one statement per table. Callers pass bounds none of whose later ratings were
 * counted yet: the rollups add, they do not recount.
 */
export async function addRatingsToRollups(
  client: pg.PoolClient | pg.Client,
  tenantIds: readonly string[],
  since?: { external: string | null; internal: string | null },
): Promise<void> {
  const ids = sql`${`{${tenantIds.join(',')}}`}::uuid[]`;
  const externalSince = since?.external ? sql` and r.occurred_at > ${since.external}::timestamptz` : sql``;
  const internalSince = since?.internal ? sql` and r.occurred_on > ${since.internal}::date` : sql``;
  await run(client, addToRollups(EXTERNAL_ROLLUP, sql`r.tenant_id`, sql`external_ratings r where r.tenant_id = any(${ids})${externalSince}`));
  await run(client, addToRollups(INTERNAL_ROLLUP, sql`r.tenant_id`, sql`internal_ratings r where r.tenant_id = any(${ids})${internalSince}`));
}

/**
 * Stores tenants' ratings (their units already there), received at `receivedAt`: one COPY per table, the external
 * ratings first. Lazy iterables are drawn as the COPY goes; `internal` is read only once `external` is done.
 */
export async function copyRatings(
  client: pg.PoolClient | pg.Client,
  tenants: readonly { tenantId: string; external: Iterable<NewExternalRating>; internal: Iterable<NewInternalRating> }[],
  receivedAt: Date,
): Promise<void> {
  const received = receivedAt.toISOString();
  await copyRows(client, 'external_ratings', (function* () {
    for (const { tenantId, external } of tenants) for (const rating of external) yield { tenant_id: tenantId, received_at: received, ...rating };
  })());
  await copyRows(client, 'internal_ratings', (function* () {
    for (const { tenantId, internal } of tenants) for (const rating of internal) yield { tenant_id: tenantId, ...rating };
  })());
}

/** Organizations per transaction; two transactions at a time, so one generates while the other's COPY runs. */
const CHUNK = 32;
const CONNECTIONS = 2;

/** Tenants, units, ratings and rollups of whole organizations, in the caller's transaction. */
async function copyOrganizations(client: pg.PoolClient, orgs: readonly PoolOrganization[], receivedAt: Date): Promise<void> {
  await copyRows(client, 'tenants', orgs.map(({ tenant }) => ({ id: tenant.id, name: tenant.name, industry: tenant.industry, size_band: tenant.sizeBand, region: tenant.region, benchmark_opt_in: tenant.benchmarkOptIn })));
  await copyRows(client, 'units', orgs.flatMap(({ tenant, units }) => units.map((unit) => ({ id: unit.id, tenant_id: tenant.id, name: unit.name, kind: unit.kind }))));
  await copyRatings(client, orgs.map((org) => ({ tenantId: org.tenant.id, ...org })), receivedAt);
  await addRatingsToRollups(client, orgs.map((org) => org.tenant.id));
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
      for (let chunk = pending.splice(0, CHUNK); chunk.length > 0; chunk = pending.splice(0, CHUNK)) {
        const orgs = chunk.map((index) => generateOrganization(seed, index, now));
        const client = await pool.connect();
        try {
          await client.query('begin');
          // Rows generated consistent (units before their ratings): a superuser (the local stack's) skips
          // the per-row foreign-key checks, most of the load's cost; the owner cannot, and keeps them.
          await client.query(`select set_config('session_replication_role', 'replica', true) from pg_roles where rolname = current_user and rolsuper`);
          await copyOrganizations(client, orgs, now);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        } finally {
          client.release();
        }
        result.loaded += orgs.length;
        result.externalRatings += orgs.reduce((sum, org) => sum + org.external.length, 0);
        result.internalRatings += orgs.reduce((sum, org) => sum + org.internal.length, 0);
        onProgress?.({ done: present.size + result.loaded, total: organizations, ratings: result.externalRatings + result.internalRatings });
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loadNext));
    // Fresh statistics, so the reports and the benchmark job that follow plan for the real row counts.
    if (result.loaded > 0) await pool.query('analyze external_rollups, internal_rollups');
    return { ...result, milliseconds: performance.now() - started };
  } finally {
    await pool.end();
  }
}
