/**
 * The reference pool as `npm start` loads it: a committed dump (`reference-pool.tsv.br`, made by
 * `npm run pool:dump`) of what the benchmarks read — tenants, units and rollups — and the raw ratings
 * drawn again by the generator, which stays the source of both. The dump is the generator's pool as of
 * `DUMP_REFERENCE` (the last day of a quarter, so it spans 15 months), its rollups computed by the same SQL
 * as the API's writes (load.ts, `addRatingsToRollups`). Days are stored relative to the reference day and
 * land on the days before today: loading it is COPY only, with no generation and no aggregate over 200,000
 * ratings, which is what `npm start` waits for before it can rank the demo. The ratings, which no report
 * of the demo reads, follow (`loadPoolRatings`), shifted by the same number of days, so the rollups stay
 * what the ratings add up to (tests/start/pool-dump.test.ts checks both).
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { externalRollups, internalRollups, tenants, units } from '../schema.ts';
import { DAY_MS, DEFAULT_POOL_SEED, generateOrganization, POOL_ORGANIZATIONS, poolTenantId } from './generate.ts';
import { copyRatings } from './load.ts';

/** The generator's `now` for the dump: poolPeriod gives it the 15 months before 30 September 2026. */
export const DUMP_REFERENCE = new Date('2026-09-30T12:00:00Z');
export const DUMP_FILE = fileURLToPath(new URL('./reference-pool.tsv.br', import.meta.url));
/** The advisory lock two loads of the pool take turns with. */
const POOL_LOCK = 'reference pool';
const REFERENCE_DAY = DUMP_REFERENCE.toISOString().slice(0, 10);

/**
 * What the dump holds of each table: the columns the generator writes (every column of a rollup, so a measure
 * added to the registry is in the dump once it is made again), each row starting with its tenant's id, and
 * the key it is ordered by. A rollup's `day` is stored relative to the reference day.
 */
const SECTIONS: { table: PgTable; columns: string[]; key: string[] }[] = [
  { table: tenants, columns: ['id', 'name', 'industry', 'size_band', 'region', 'benchmark_opt_in'], key: ['id'] },
  { table: units, columns: ['tenant_id', 'id', 'name', 'kind'], key: ['tenant_id', 'id'] },
  ...[externalRollups, internalRollups].map((table) => ({
    table,
    columns: Object.values(getTableColumns(table) as Record<string, { name: string }>).map((column) => column.name),
    key: getTableConfig(table).primaryKeys[0]!.columns.map((column) => column.name),
  })),
];

/**
 * The dump's text: per table a line `table<TAB>columns…`, its rows in COPY's text format ordered by their
 * key, and `\.`; days as whole days from the reference day. Read from a database holding the generator's
 * pool as of `DUMP_REFERENCE` (and perhaps other tenants, left out).
 */
export async function poolDumpText(client: pg.Client, seed = DEFAULT_POOL_SEED): Promise<string> {
  const ids = `{${Array.from({ length: POOL_ORGANIZATIONS }, (_, index) => poolTenantId(seed, index)).join(',')}}`;
  const parts: string[] = [];
  for (const { table, columns, key } of SECTIONS) {
    const select = columns.map((column) => (column === 'day' ? `day - '${REFERENCE_DAY}'::date as day` : `"${column}"`)).join(', ');
    const query = `select ${select} from "${getTableName(table)}" where "${columns[0]}" = any('${ids}'::uuid[]) order by ${key.map((column) => `"${column}"`).join(', ')}`;
    const chunks: Buffer[] = [];
    await pipeline(client.query(copyTo(`copy (${query}) to stdout`)), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) chunks.push(chunk);
    });
    parts.push(`${getTableName(table)}\t${columns.join('\t')}\n${Buffer.concat(chunks).toString('utf8')}\\.\n`);
  }
  return parts.join('');
}

export const compressDump = (text: string) =>
  brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } });
export const readDump = (file = DUMP_FILE) => brotliDecompressSync(readFileSync(file)).toString('utf8');

const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * COPY of the dump's tenants, units and rollups for the tenants in `only` (all when absent), in the caller's
 * transaction, the reference day landing on `today`'s (UTC): the last day held is the day before. Answers the
 * number of rollup rows.
 */
export async function copyPoolDump(client: pg.Client | pg.PoolClient, today: Date, only?: ReadonlySet<string>): Promise<number> {
  let rollups = 0;
  const shift = Math.floor(today.getTime() / DAY_MS);
  const days = new Map<string, string>();
  const text = readDump();
  for (let start = 0; start < text.length; ) {
    const header = text.indexOf('\n', start);
    const end = text.indexOf('\n\\.\n', header) + 1;
    const [table, ...columns] = text.slice(start, header).split('\t');
    const dayAt = columns.indexOf('day');
    start = end + 3;
    const rows = function* () {
      for (let line = header + 1; line < end; ) {
        const next = text.indexOf('\n', line) + 1;
        // Tenants' ids are 36 characters and every row starts with one.
        if (only && !only.has(text.slice(line, line + 36))) {
          line = next;
          continue;
        }
        if (dayAt < 0) yield text.slice(line, next);
        else {
          let from = line;
          for (let i = 0; i < dayAt; i++) from = text.indexOf('\t', from) + 1;
          const to = text.indexOf('\t', from);
          const offset = text.slice(from, to);
          let day = days.get(offset);
          if (day === undefined) days.set(offset, (day = dayString(shift + Number(offset))));
          rollups++;
          yield `${text.slice(line, from)}${day}${text.slice(to, next)}`;
        }
        line = next;
      }
    };
    const batched = function* () {
      let batch: string[] = [];
      for (const row of rows()) {
        batch.push(row);
        if (batch.length === 2000) {
          yield batch.join('');
          batch = [];
        }
      }
      if (batch.length > 0) yield batch.join('');
    };
    await pipeline(Readable.from(batched()), client.query(copyFrom(`copy "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) from stdin`)));
  }
  return rollups;
}

export interface LoadDumpResult {
  organizations: number;
  /** Organizations written by this call; 0 when the pool was already there. */
  loaded: number;
  /** Rollup rows written. */
  rollups: number;
  milliseconds: number;
}

/**
 * The pool's tenants, units and rollups from the dump, for the organizations not there yet (one query when
 * the pool is complete), in one transaction, as the owner or (locally) the superuser, as load.ts does.
 */
export async function loadPoolDump(databaseUrl: string, now = new Date()): Promise<LoadDumpResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = Array.from({ length: POOL_ORGANIZATIONS }, (_, index) => poolTenantId(DEFAULT_POOL_SEED, index));
    let missing: string[] = [];
    let rollups = 0;
    await client.query('begin');
    try {
      // Two loads at once (`npm run pool` beside `npm start`) take turns: the second finds the pool there.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [POOL_LOCK]);
      const { rows } = await client.query<{ id: string }>('select id from tenants where id = any($1::uuid[])', [ids]);
      const present = new Set(rows.map((row) => row.id));
      missing = ids.filter((id) => !present.has(id));
      if (missing.length > 0) {
        await client.query(`select set_config('session_replication_role', 'replica', true) from pg_roles where rolname = current_user and rolsuper`);
        rollups = await copyPoolDump(client, now, present.size > 0 ? new Set(missing) : undefined);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
    if (missing.length > 0) {
      // Fresh statistics, so the benchmark job that follows plans for the real row counts: of the key columns
      // only, which its reads filter on (a third of the cost of every column; autovacuum adds the rest later).
      const rollupSections = SECTIONS.filter(({ table }) => table === externalRollups || table === internalRollups);
      await client.query(`analyze ${rollupSections.map(({ table, key }) => `"${getTableName(table)}" (${key.map((column) => `"${column}"`).join(', ')})`).join(', ')}`);
    }
    return { organizations: ids.length, loaded: missing.length, rollups, milliseconds: performance.now() - started };
  } finally {
    await client.end();
  }
}

export interface LoadRatingsResult {
  /** Organizations whose ratings this call wrote. */
  loaded: number;
  externalRatings: number;
  internalRatings: number;
}

/** Organizations per transaction, and transactions at a time (one generates while the other's COPY runs). */
const CHUNK = 32;
const CONNECTIONS = 2;

/**
 * The raw ratings of the pool's organizations that have their rollups (from the dump) but no ratings yet,
 * drawn by the generator as of `DUMP_REFERENCE` and moved by as many days as their rollups were: each
 * organization's first rollup day says by how much, so ratings written on a later day than their rollups
 * (a start stopped before they were all written) still add up to them. A chunk of organizations per
 * transaction, so a stop leaves whole organizations and the next call resumes.
 */
export async function loadPoolRatings(
  databaseUrl: string,
  { seed = DEFAULT_POOL_SEED, onProgress }: { seed?: number; onProgress?: (progress: { done: number; total: number }) => void } = {},
): Promise<LoadRatingsResult> {
  // One more connection than the loaders: it holds the lock that makes two loads take turns.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS + 1 });
  // Postgres stopping under an idle connection (Ctrl-C after "Ready") is not an error of its own: a query in
  // flight fails and says so where it is awaited.
  pool.on('error', () => {});
  const lock = await pool.connect();
  lock.on('error', () => {});
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`${POOL_LOCK} ratings`]);
    const indexOf = new Map(Array.from({ length: POOL_ORGANIZATIONS }, (_, index) => [poolTenantId(seed, index), index]));
    const { rows } = await pool.query<{ id: string; first: string }>(
      `select t.id, (select min(day)::text from external_rollups r where r.tenant_id = t.id) as first from tenants t
       where t.id = any($1::uuid[]) and not exists (select 1 from external_ratings e where e.tenant_id = t.id)`,
      [[...indexOf.keys()]],
    );
    const pending = rows.filter((row) => row.first !== null);
    const total = pending.length;
    const result: LoadRatingsResult = { loaded: 0, externalRatings: 0, internalRatings: 0 };
    const loadNext = async (): Promise<void> => {
      for (let chunk = pending.splice(0, CHUNK); chunk.length > 0; chunk = pending.splice(0, CHUNK)) {
        const organizations = chunk.map(({ id, first }) => shiftedRatings(generateOrganization(seed, indexOf.get(id)!, DUMP_REFERENCE), first));
        const client = await pool.connect();
        try {
          await client.query('begin');
          // As in load.ts: a superuser skips the per-row foreign-key checks of rows generated consistent.
          await client.query(`select set_config('session_replication_role', 'replica', true) from pg_roles where rolname = current_user and rolsuper`);
          await copyRatings(client, organizations, new Date());
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
        result.loaded += organizations.length;
        result.externalRatings += organizations.reduce((sum, org) => sum + org.external.length, 0);
        result.internalRatings += organizations.reduce((sum, org) => sum + org.internal.length, 0);
        onProgress?.({ done: result.loaded, total });
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loadNext));
    return result;
  } finally {
    // Ending the session releases its lock.
    lock.release();
    await pool.end();
  }
}

/** The organization's ratings moved so that its first external rating falls on `firstDay` (its first rollup day). */
function shiftedRatings(org: ReturnType<typeof generateOrganization>, firstDay: string) {
  const generatedFirst = Math.min(...org.external.map((rating) => Math.floor(Date.parse(rating.occurred_at) / DAY_MS)));
  const shift = (Date.parse(firstDay) / DAY_MS - generatedFirst) * DAY_MS;
  return {
    tenantId: org.tenant.id,
    external: org.external.map((rating) => ({ ...rating, occurred_at: new Date(Date.parse(rating.occurred_at) + shift).toISOString() })),
    internal: org.internal.map((rating) => ({ ...rating, occurred_on: new Date(Date.parse(rating.occurred_on) + shift).toISOString().slice(0, 10) })),
  };
}
