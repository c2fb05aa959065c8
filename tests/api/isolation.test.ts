import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type CreatedTenant, createTenant } from './helpers.ts';

/**
 * Row-level security as the second wall: whatever the application forgets, the database refuses.
 * These tests speak SQL as the worker's own login (`DATABASE_URL`), not through the API.
 */
const app = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
const owner = new pg.Pool({ connectionString: inject('ownerDatabaseUrl'), max: 1 });
afterAll(() => Promise.all([app.end(), owner.end()]));

/** Runs `work` in one transaction as the app login, with the tenant set as the worker sets it. */
async function asTenant<T>(tenantId: string | null, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await app.connect();
  try {
    await client.query('begin');
    if (tenantId) await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    return await work(client);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

/** Every table of the schema that holds tenant data: `tenants` and each with a `tenant_id` column. */
const TENANT_TABLES: string[] = (
  await owner.query(
    `select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'tenant_id' order by table_name`,
  )
).rows.map((row: { table_name: string }) => row.table_name);
TENANT_TABLES.unshift('tenants');

let a: CreatedTenant;
let b: CreatedTenant;
beforeAll(async () => {
  a = await createTenant({ name: 'Isolated A' });
  b = await createTenant({ name: 'Isolated B' });
  // Rows in every tenant-owned table, for both tenants, whatever the API has created so far.
  const snapshot = crypto.randomUUID();
  // A UUIDv7 of time 0, the oldest: job runs are listed newest first by id, and a random (v4) id would
  // come first and hide the real newest run from a test file that runs after this one (benchmarks.test.ts).
  const run = `00000000-0000-7000-8000-${crypto.randomUUID().slice(-12)}`;
  await owner.query(`insert into job_runs (id, job, trigger, status) values ($1, 'isolation-test', 'operator', 'succeeded')`, [run]);
  await owner.query(
    `insert into benchmark_snapshots (id, period_kind, period_start, period_end, job_run_id)
     values ($1, 'month', '1999-01-01', '1999-02-01', $2)`,
    [snapshot, run],
  );
  for (const { tenant } of [a, b]) {
    await owner.query(`insert into targets (tenant_id, measure, target) values ($1, 'csat', 0.8)`, [tenant.id]);
    await owner.query(
      `insert into benchmark_positions (snapshot_id, tenant_id, measure, cohort_kind, cohort_value, value, percentile_rank)
       values ($1, $2, 'csat', 'all', '', 0.8, 50)`,
      [snapshot, tenant.id],
    );
    const unit = crypto.randomUUID();
    await owner.query(
      `insert into partner_clients (id, tenant_id, name, display_prefix, secret_hash, scopes)
       values (gen_random_uuid(), $1, 'Kiosk', 'scs_x', md5(random()::text), '{ratings:write}')`,
      [tenant.id],
    );
    await owner.query(`insert into units (id, tenant_id, name, kind) values ($2, $1, 'Desk', 'touchpoint')`, [tenant.id, unit]);
    await owner.query(
      `insert into external_ratings (id, tenant_id, unit_id, occurred_at, overall, quality, customer_kind, channel)
       values (gen_random_uuid(), $1, $2, now(), 4, 4, 'occasional', 'web')`,
      [tenant.id, unit],
    );
    await owner.query(
      `insert into internal_ratings (id, tenant_id, unit_id, occurred_on, commitments, internal_culture, empowerment,
         recognition, leadership_support, knowledge, ability, willingness, tenure_band, role)
       values (gen_random_uuid(), $1, $2, current_date, 3, 3, 3, 3, 3, 3, 3, 3, 'new', 'frontline')`,
      [tenant.id, unit],
    );
    await owner.query(`insert into external_rollups (tenant_id, unit_id, day, customer_kind) values ($1, $2, current_date, 'occasional')`, [tenant.id, unit]);
    await owner.query(
      `insert into internal_rollups (tenant_id, unit_id, day, tenure_band, role) values ($1, $2, current_date, 'new', 'frontline')`,
      [tenant.id, unit],
    );
    await owner.query(
      `insert into idempotency_keys (tenant_id, credential_id, key, request_fingerprint, request_id, response_status, response_body, expires_at)
       values ($1, gen_random_uuid(), 'k', 'f', 'r', 201, '{}', now() + interval '1 day')`,
      [tenant.id],
    );
    const endpoint = crypto.randomUUID();
    const event = crypto.randomUUID();
    const delivery = crypto.randomUUID();
    await owner.query(
      `insert into webhook_endpoints (id, tenant_id, url, event_types, secret_ciphertext) values ($2, $1, 'https://hooks.example.com/', '{api_key.revoked}', 'v1.x.y')`,
      [tenant.id, endpoint],
    );
    await owner.query(`insert into webhook_events (id, tenant_id, type, data) values ($2, $1, 'api_key.revoked', '{}')`, [tenant.id, event]);
    await owner.query(`insert into webhook_deliveries (id, tenant_id, event_id, endpoint_id) values ($4, $1, $2, $3)`, [tenant.id, event, endpoint, delivery]);
    await owner.query(
      `insert into webhook_attempts (id, tenant_id, delivery_id, endpoint_id, attempted_at, status_code, duration_ms) values (gen_random_uuid(), $1, $2, $3, now(), 500, 12)`,
      [tenant.id, delivery, endpoint],
    );
  }
});

describe('the app login', () => {
  test('owns no table, is no superuser and cannot bypass row-level security', async () => {
    const { rows } = await app.query(
      `select rolsuper, rolbypassrls, (select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user)::int as owned
         from pg_roles where rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
  });

  test('every table in the schema has row-level security enabled', async () => {
    const { rows } = await owner.query(
      `select relname, relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' order by relname`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(TENANT_TABLES.length);
    for (const row of rows) expect(row, row.relname).toMatchObject({ relrowsecurity: true });
  });
});

describe('row-level security', () => {
  test.each(TENANT_TABLES)('%s: with no tenant set, a raw query returns 0 rows', async (table) => {
    const { rows: all } = await owner.query(`select count(*)::int as n from ${table}`);
    expect(all[0].n).toBeGreaterThan(0);
    const count = await asTenant(null, (client) => client.query(`select count(*)::int as n from ${table}`));
    expect(count.rows[0].n).toBe(0);
  });

  test.each(TENANT_TABLES)("%s: with tenant A set, only A's rows are visible", async (table) => {
    const column = table === 'tenants' ? 'id' : 'tenant_id';
    const { rows } = await asTenant(a.tenant.id, (client) => client.query(`select distinct ${column} as tenant from ${table}`));
    expect(rows).toEqual([{ tenant: a.tenant.id }]);
  });

  test("with tenant A set, a row for B cannot be inserted", async () => {
    const insert = asTenant(a.tenant.id, (client) =>
      client.query(
        `insert into api_keys (id, tenant_id, name, display_prefix, secret_hash, scopes)
         values (gen_random_uuid(), $1, 'smuggled', 'sck_x', md5(random()::text), '{admin}')`,
        [b.tenant.id],
      ),
    );
    await expect(insert).rejects.toMatchObject({ code: '42501' });
  });

  test("with tenant A set, B's rows can be neither updated nor deleted", async () => {
    const result = await asTenant(a.tenant.id, async (client) => ({
      updated: (await client.query(`update tenants set name = 'hijacked' where id = $1`, [b.tenant.id])).rowCount,
      deleted: (await client.query(`delete from api_keys where tenant_id = $1`, [b.tenant.id])).rowCount,
    }));
    expect(result).toEqual({ updated: 0, deleted: 0 });
  });

  test("with tenant A set, a row cannot be moved to B", async () => {
    const move = asTenant(a.tenant.id, (client) =>
      client.query(`update api_keys set tenant_id = $1 where tenant_id = $2`, [b.tenant.id, a.tenant.id]),
    );
    await expect(move).rejects.toMatchObject({ code: '42501' });
  });
});

describe('the audit log', () => {
  test('is append-only: the app login cannot update or delete it', async () => {
    for (const statement of ['update audit_events set details = $2 where tenant_id = $1', 'delete from audit_events where tenant_id = $1']) {
      const attempt = asTenant(a.tenant.id, (client) =>
        client.query(statement, statement.startsWith('update') ? [a.tenant.id, '{}'] : [a.tenant.id]),
      );
      await expect(attempt).rejects.toMatchObject({ code: '42501' });
    }
  });

  test('not even the owner can rewrite it', async () => {
    await expect(owner.query(`update audit_events set details = '{}'`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`delete from audit_events`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`truncate audit_events`)).rejects.toThrow(/append-only/);
  });
});

describe('authenticate_api_key', () => {
  test('sets the tenant only for a live key', async () => {
    const { rows: keyRows } = await owner.query('select secret_hash from api_keys where id = $1', [a.apiKey.id]);
    const tenantAfter = (hash: string) =>
      asTenant(null, async (client) => {
        const status = await client.query(`select authenticate_api_key($1, gen_random_uuid(), 'test') as s`, [hash]);
        const setting = await client.query(`select nullif(current_setting('app.tenant_id', true), '') as t`);
        return [status.rows[0].s, setting.rows[0].t];
      });
    expect(await tenantAfter(keyRows[0].secret_hash)).toEqual(['active', a.tenant.id]);
    expect(await tenantAfter('0'.repeat(64))).toEqual(['unknown', null]);
  });
});
