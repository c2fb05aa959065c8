/**
 * A small reference pool (its own seed) loaded with COPY (rollups derived by the API's own definitions) into the test
 * database, read back as the owner: idempotent, deterministic,
 * rollups equal to a recomputation, and the thesis' figures computed twice in SQL — from the raw
 * rows and from the rollups — agreeing with each other and with the calibration.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { generatePool, poolTenantId } from '../../db/pool/generate.ts';
import { loadReferencePool, type LoadPoolResult } from '../../db/pool/load.ts';
import { EXTERNAL_ROLLUP, INTERNAL_ROLLUP, rollupRows } from '../../worker/db/rollups.ts';

const SEED = 4242;
const ORGANIZATIONS = 30;
const NOW = new Date('2026-11-23T10:00:00Z');
const databaseUrl = inject('ownerDatabaseUrl');
const ids = Array.from({ length: ORGANIZATIONS }, (_, index) => poolTenantId(SEED, index));
let owner: pg.Pool;
let first: LoadPoolResult;

beforeAll(async () => {
  owner = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  first = await loadReferencePool({ databaseUrl, seed: SEED, now: NOW, organizations: ORGANIZATIONS });
}, 120_000);

afterAll(() => owner?.end());

async function row(text: string, values: unknown[] = [ids]): Promise<Record<string, number>> {
  const [result] = (await owner.query(text, values)).rows as Record<string, unknown>[];
  return Object.fromEntries(Object.entries(result!).map(([k, v]) => [k, Number(v)]));
}

test('loads every organization once: a second run finds them and writes nothing', async () => {
  expect(first).toMatchObject({ organizations: ORGANIZATIONS, loaded: ORGANIZATIONS });
  expect((await row('select count(*) as n from tenants where id = any($1)')).n).toBe(ORGANIZATIONS);
  const counts = 'select (select count(*) from external_ratings where tenant_id = any($1)) as external, (select count(*) from internal_ratings where tenant_id = any($1)) as internal';
  const before = await row(counts);
  const again = await loadReferencePool({ databaseUrl: databaseUrl, seed: SEED, now: NOW, organizations: ORGANIZATIONS });
  expect(again.loaded).toBe(0);
  expect(await row(counts)).toEqual(before);
  expect(before).toEqual({ external: first.externalRatings, internal: first.internalRatings });
});

test('stores exactly what the seed generates', async () => {
  const generated = [...generatePool(SEED, NOW, ORGANIZATIONS)];
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const stored = await row(`select (select sum(overall) from external_ratings where tenant_id = any($1)) as overall,
    (select sum(recommend) from external_ratings where tenant_id = any($1)) as recommend,
    (select sum(willingness) from internal_ratings where tenant_id = any($1)) as willingness, (select count(*) from units where tenant_id = any($1)) as units`);
  expect(stored).toEqual({
    overall: sum(generated.flatMap((o) => o.external.map((r) => r.overall))),
    recommend: sum(generated.flatMap((o) => o.external.map((r) => r.recommend ?? 0))),
    willingness: sum(generated.flatMap((o) => o.internal.map((r) => r.willingness))),
    units: sum(generated.map((o) => o.units.length)),
  });
});

test('rollups equal a recomputation from the raw rows', async () => {
  const dialect = new PgDialect();
  for (const [table, raw, spec] of [
    ['external_rollups', 'external_ratings', EXTERNAL_ROLLUP],
    ['internal_rollups', 'internal_ratings', INTERNAL_ROLLUP],
  ] as const) {
    for (const id of ids) {
      const recompute = dialect.sqlToQuery(rollupRows(spec as typeof EXTERNAL_ROLLUP, id, sql`${sql.identifier(raw)} as r where r.tenant_id = ${id}`));
      // As jsonb, so column order and int/bigint do not matter.
      const { rows } = await owner.query(
        `with kept as (select to_jsonb(k) as j from ${table} k where tenant_id = $${recompute.params.length + 1}),
           recomputed as (select to_jsonb(r) as j from (${recompute.sql}) r)
         select (select count(*) from kept)::int as kept, (select count(*) from (select j from kept except select j from recomputed) d)::int as only_kept,
           (select count(*) from (select j from recomputed except select j from kept) d)::int as only_recomputed`,
        [...recompute.params, id],
      );
      expect(rows[0], `${table} of ${id}`).toMatchObject({ only_kept: 0, only_recomputed: 0 });
      expect(rows[0].kept).toBeGreaterThan(0);
    }
  }
});

/** The thesis' figures over the pool's tenants ($1): from the raw ratings... */
const FROM_RAW = `
  with ext as (select * from external_ratings where tenant_id = any($1)),
    inr as (select * from internal_ratings where tenant_id = any($1)),
    units as (select unit_id, avg((willingness >= 4)::int) > 0.5 as willing, avg((commitments + internal_culture + empowerment + recognition + leadership_support) / 5.0) as support, count(*) as n
      from inr group by unit_id),
    csat as (select unit_id, avg((overall >= 4)::int) as csat, count(*) as n from ext group by unit_id),
    org as (select tenant_id, avg((overall >= 4)::int) as csat from ext group by tenant_id)
  select
    avg(blames_attitude::int) filter (where overall <= 2) as blame_share,
    (select avg(coalesce(u.willing, false)::int) from ext e left join units u using (unit_id) where e.overall <= 2 and e.blames_attitude) as blames_where_willing,
    avg(blames_attitude::int) filter (where overall <= 2 and customer_kind = 'occasional') as occasional_blame,
    avg(blames_attitude::int) filter (where overall <= 2 and customer_kind = 'recurring') as recurring_blame,
    (select avg(willingness) from inr where tenure_band = 'new') as new_willingness,
    (select avg(willingness) from inr where tenure_band = 'established') as established_willingness,
    (select corr(u.support, c.csat) from units u join csat c using (unit_id) where u.n >= 5 and c.n >= 30) as service_profit_link,
    (select percentile_cont(0.9) within group (order by csat) - percentile_cont(0.1) within group (order by csat) from org) as org_csat_spread
  from ext`;

/** ...and from the rollups alone, as reports and benchmarks read them. */
const FROM_ROLLUPS = `
  with ext as (select * from external_rollups where tenant_id = any($1)),
    inr as (select * from internal_rollups where tenant_id = any($1)),
    units as (select unit_id, sum(willingness_favourable)::float / sum(respondents) > 0.5 as willing, sum(support_total_sum)::float / (5 * sum(respondents)) as support,
      sum(respondents) as n from inr group by unit_id),
    csat as (select unit_id, sum(satisfied)::float / sum(ratings) as csat, sum(ratings) as n from ext group by unit_id),
    org as (select tenant_id, sum(satisfied)::float / sum(ratings) as csat from ext group by tenant_id)
  select
    sum(dissatisfied_blaming_attitude)::float / sum(dissatisfied) as blame_share,
    (select sum(e.dissatisfied_blaming_attitude) filter (where u.willing)::float / sum(e.dissatisfied_blaming_attitude) from ext e left join units u using (unit_id)) as blames_where_willing,
    sum(dissatisfied_blaming_attitude) filter (where customer_kind = 'occasional')::float / sum(dissatisfied) filter (where customer_kind = 'occasional') as occasional_blame,
    sum(dissatisfied_blaming_attitude) filter (where customer_kind = 'recurring')::float / sum(dissatisfied) filter (where customer_kind = 'recurring') as recurring_blame,
    (select sum(willingness_sum)::float / sum(respondents) from inr where tenure_band = 'new') as new_willingness,
    (select sum(willingness_sum)::float / sum(respondents) from inr where tenure_band = 'established') as established_willingness,
    (select corr(u.support, c.csat) from units u join csat c using (unit_id) where u.n >= 5 and c.n >= 30) as service_profit_link,
    (select percentile_cont(0.9) within group (order by csat) - percentile_cont(0.1) within group (order by csat) from org) as org_csat_spread
  from ext`;

test('shows the thesis, the same from raw rows and from rollups', async () => {
  const raw = await row(FROM_RAW);
  const rollups = await row(FROM_ROLLUPS);
  console.log(`pool calibration (${ORGANIZATIONS} organizations, seed ${SEED}):`, JSON.stringify(raw, (_, v) => (typeof v === 'number' ? Number(v.toFixed(3)) : v)));
  for (const [name, value] of Object.entries(raw)) expect(rollups[name], name).toBeCloseTo(value, 9);
  expect(Math.abs(raw.blame_share! - 0.91)).toBeLessThanOrEqual(0.04);
  expect(Math.abs(raw.blames_where_willing! - 0.77)).toBeLessThanOrEqual(0.06);
  expect(raw.occasional_blame! - raw.recurring_blame!).toBeGreaterThan(0.6);
  expect(raw.recurring_blame).toBeLessThan(0.2);
  expect(raw.new_willingness! - raw.established_willingness!).toBeGreaterThan(0.2);
  expect(raw.service_profit_link).toBeGreaterThan(0.3);
  expect(raw.org_csat_spread).toBeGreaterThanOrEqual(0.15);
});
