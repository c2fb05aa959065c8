/**
 * The committed dump of the reference pool (db/pool/dump.ts), loaded as `npm start` loads it — its tenants,
 * units and rollups, then the raw ratings drawn by the generator — into a database of its own, as of a day far
 * from the dump's reference day: what it holds must be the generator's pool, moved to end yesterday, with
 * rollups equal to what its ratings add up to. When the generator, its calibration or the rollups change,
 * this fails until `npm run pool:dump` makes the dump again.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DUMP_REFERENCE, loadPoolDump, loadPoolRatings } from '../../db/pool/dump.ts';
import { DAY_MS, DEFAULT_POOL_SEED, generatePool, POOL_ORGANIZATIONS, poolTenantId } from '../../db/pool/generate.ts';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { DATABASE_NAME, type LocalStack, startLocalStack } from '../../scripts/lib/stack.ts';
import { EXTERNAL_ROLLUP, INTERNAL_ROLLUP, rollupRows } from '../../worker/db/rollups.ts';

/** A Wednesday in February, 140 days after the reference day: months of other lengths than the dump's. */
const NOW = new Date('2027-02-17T09:30:00Z');
const SHIFT_DAYS = Math.round((Date.UTC(2027, 1, 17) - Date.UTC(2026, 8, 30)) / DAY_MS);
const ids = Array.from({ length: POOL_ORGANIZATIONS }, (_, index) => poolTenantId(DEFAULT_POOL_SEED, index));
let dataDir: string;
let stack: LocalStack;
let client: pg.Client;
let url: string;

beforeAll(async () => {
  // A cluster of its own: the migrations create cluster-wide roles, so a second database of the tests' cannot be migrated.
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sc-pool-dump-test-'));
  // Open, so that as root the cluster stays in this folder (scripts/lib/isolated-stack.ts).
  chmodSync(dataDir, 0o755);
  stack = await startLocalStack({ dataDir, postgresPort: await findFreePort(), ephemeral: true });
  // As the superuser, as `npm start` loads it (foreign-key checks skipped: db/pool/load.ts).
  url = stack.postgres.url(DATABASE_NAME);
  client = new pg.Client({ connectionString: url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const one = async (text: string, values: unknown[] = [ids]) => (await client.query(text, values)).rows[0] as Record<string, string | number | null>;

test('the dump and the ratings load once each, and their rollups are what the generated ratings add up to', async () => {
  const dumped = await loadPoolDump(url, NOW);
  expect(dumped).toMatchObject({ organizations: POOL_ORGANIZATIONS, loaded: POOL_ORGANIZATIONS });
  expect((await loadPoolDump(url, NOW)).loaded).toBe(0);
  const ratings = await loadPoolRatings(url);
  expect(ratings.loaded).toBe(POOL_ORGANIZATIONS);
  expect((await loadPoolRatings(url)).loaded).toBe(0);

  // The generator's pool as of the reference day, every rating moved by the same whole number of days.
  const generated = [...generatePool(DEFAULT_POOL_SEED, DUMP_REFERENCE)];
  expect(await one(`select array_agg(id || ' ' || name || ' ' || industry || ' ' || size_band || ' ' || region || ' ' || benchmark_opt_in order by id) as tenants from tenants where id = any($1)`)).toEqual({
    tenants: generated.map(({ tenant: t }) => `${t.id} ${t.name} ${t.industry} ${t.sizeBand} ${t.region} ${t.benchmarkOptIn}`).sort(),
  });
  expect(Number((await one('select count(*) from units where tenant_id = any($1)')).count)).toBe(generated.reduce((sum, org) => sum + org.units.length, 0));
  expect(ratings.externalRatings).toBe(generated.reduce((sum, org) => sum + org.external.length, 0));
  expect(ratings.internalRatings).toBe(generated.reduce((sum, org) => sum + org.internal.length, 0));
  const [org] = generated;
  const moved = (at: string) => new Date(Date.parse(at) + SHIFT_DAYS * DAY_MS).toISOString();
  const stored = await client.query<{ id: string; at: string }>(`select id, to_json(occurred_at) #>> '{}' as at from external_ratings where tenant_id = $1`, [org!.tenant.id]);
  expect(new Map(stored.rows.map((row) => [row.id, new Date(row.at).toISOString()]))).toEqual(new Map(org!.external.map((rating) => [rating.id, moved(rating.occurred_at)])));

  // The rollups of the dump against a recomputation from the stored ratings: no row in one and not the other.
  const dialect = new PgDialect();
  const recomputations = [
    { rollups: EXTERNAL_ROLLUP.table, rows: rollupRows(EXTERNAL_ROLLUP, sql`r.tenant_id`, sql`external_ratings r where r.tenant_id = any(${`{${ids.join(',')}}`}::uuid[])`) },
    { rollups: INTERNAL_ROLLUP.table, rows: rollupRows(INTERNAL_ROLLUP, sql`r.tenant_id`, sql`internal_ratings r where r.tenant_id = any(${`{${ids.join(',')}}`}::uuid[])`) },
  ];
  for (const { rollups, rows: recomputation } of recomputations) {
    const table = getTableName(rollups);
    const recomputed = dialect.sqlToQuery(recomputation);
    // Both sides' columns in the table's order (EXCEPT compares by position).
    const columns = Object.values(getTableColumns(rollups) as Record<string, { name: string }>).map((column) => `"${column.name}"`).join(', ');
    const kept = `select ${columns} from ${table} where tenant_id = any('{${ids.join(',')}}'::uuid[])`;
    const made = `select ${columns} from (${recomputed.sql}) recomputed`;
    const { rows } = await client.query(`select count(*)::int as differing from ((${kept} except ${made}) union all (${made} except ${kept})) d`, recomputed.params);
    expect(rows[0].differing, `${table} differ from the generator's ratings: run \`npm run pool:dump\``).toBe(0);
  }

  // It ends yesterday and spans the 15 months before: the last complete month, quarter and 12 months, and the
  // demo's earlier months, have every organization.
  expect(await one(`select min(day)::text as first, max(day)::text as last from external_rollups where tenant_id = any($1)`)).toEqual({
    first: new Date(Date.UTC(2025, 6, 1) + SHIFT_DAYS * DAY_MS).toISOString().slice(0, 10),
    last: '2027-02-16',
  });
  expect(await one(`select count(distinct tenant_id)::int as organizations from external_rollups where tenant_id = any($1) and day >= '2025-12-01' and day < '2026-01-01'`)).toEqual({
    organizations: POOL_ORGANIZATIONS,
  });
}, 120_000);
