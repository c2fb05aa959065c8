import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type CreatedTenant, createTenant } from './helpers.ts';

/**
 * The cross-tenant statements of the benchmark job and the target evaluation, one per chunk of tenants
 * (db/migrations/0034_benchmark_totals.sql), spoken to as the worker's own login: first what a tenant's
 * context must not get from them, then that they add up what the rollups hold or write what they are given.
 */
const app = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
const owner = new pg.Pool({ connectionString: inject('ownerDatabaseUrl'), max: 1 });
afterAll(async () => {
  // Leaves no opted-in tenant without ratings and no target behind for the job tests that run after this file.
  const ids = [participant, peer, optedOut].map(({ tenant }) => tenant.id);
  await owner.query('update tenants set benchmark_opt_in = false where id = any($1)', [ids]);
  await owner.query('delete from targets where tenant_id = any($1)', [ids]);
  await owner.query('delete from benchmark_snapshots where job_run_id = $1', [STAGING_RUN]); // their positions cascade
  await owner.query('delete from job_runs where id = $1', [STAGING_RUN]);
  await Promise.all([app.end(), owner.end()]);
});

/** Runs `work` in one transaction as the app login, after `setup` (e.g. setting a tenant as a request does). */
async function asApp<T>(setup: (client: pg.PoolClient) => Promise<unknown>, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await app.connect();
  try {
    await client.query('begin');
    await setup(client);
    return await work(client);
  } finally {
    await client.query('rollback');
    // A session-level setting would outlive the transaction: reset it before the connection is reused.
    await client.query(`select set_config('app.tenant_id', '', false)`);
    client.release();
  }
}
const noTenant = async () => undefined;

const PERIODS = { starts: ['2001-01-01', '2001-02-01', '2000-03-01'], ends: ['2001-02-01', '2001-03-01', '2001-03-01'] };

interface TotalsRow {
  tenant_id: string;
  period: number;
  external: Record<string, number> | null;
  internal: Record<string, number> | null;
}

function totals(client: pg.PoolClient, fn: string, tenantIds: string[]) {
  return client.query<TotalsRow>(`select * from ${fn}($1::uuid[], $2::date[], $3::date[]) order by tenant_id, period`, [tenantIds, PERIODS.starts, PERIODS.ends]);
}

/** A job run of time 0 (UUIDv7), listed behind every real one, for the staged snapshots below. */
const STAGING_RUN = `00000000-0000-7000-8000-${crypto.randomUUID().slice(-12)}`;

let participant: CreatedTenant;
let peer: CreatedTenant;
let optedOut: CreatedTenant;
beforeAll(async () => {
  participant = await createTenant({ name: 'Totals participant', benchmarkOptIn: true });
  peer = await createTenant({ name: 'Totals peer', benchmarkOptIn: true });
  optedOut = await createTenant({ name: 'Totals opted out', benchmarkOptIn: false });
  for (const [index, { tenant }] of [participant, peer, optedOut].entries()) {
    const unit = crypto.randomUUID();
    await owner.query(`insert into units (id, tenant_id, name, kind) values ($2, $1, 'Desk', 'touchpoint')`, [tenant.id, unit]);
    // January twice (two customer kinds), February once, and a day outside every period.
    for (const [day, kind, ratings] of [
      ['2001-01-10', 'occasional', 3],
      ['2001-01-31', 'recurring', 4],
      ['2001-02-15', 'occasional', 5],
      ['2001-03-01', 'occasional', 7],
    ] as const) {
      await owner.query(
        `insert into external_rollups (tenant_id, unit_id, day, customer_kind, ratings, satisfied, effort_sum) values ($1, $2, $3, $4, $5, $6, $7)`,
        [tenant.id, unit, day, kind, ratings + index, ratings - 1, 2 * ratings],
      );
    }
    await owner.query(
      `insert into internal_rollups (tenant_id, unit_id, day, tenure_band, role, respondents, willingness_favourable) values ($1, $2, '2001-02-02', 'new', 'frontline', $3, 2)`,
      [tenant.id, unit, 6 + index],
    );
  }
  await owner.query(`insert into targets (tenant_id, measure, target) values ($1, 'csat', 0.8)`, [optedOut.tenant.id]);
});

describe('with a tenant set, as every tenant request has, no totals of anyone', () => {
  const setTenant = (id: () => string, isLocal = true) => (client: pg.PoolClient) =>
    client.query(`select set_config('app.tenant_id', $1, $2)`, [id(), isLocal]);

  test.each(['benchmark_totals', 'target_totals'])("%s: a tenant's batch asking for its peers is refused", async (fn) => {
    const attempt = asApp(setTenant(() => participant.tenant.id), (client) => totals(client, fn, [peer.tenant.id, participant.tenant.id]));
    await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/no tenant set/) });
  });

  test.each(['benchmark_totals', 'target_totals'])('%s: a tenant set for the session is refused too', async (fn) => {
    const attempt = asApp(setTenant(() => participant.tenant.id, false), (client) => totals(client, fn, [peer.tenant.id]));
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
  });

  test('the tenant a live API key sets (the worker\'s authentication) is refused', async () => {
    const { rows } = await owner.query('select secret_hash from api_keys where id = $1', [participant.apiKey.id]);
    const attempt = asApp(
      (client) => client.query(`select authenticate_api_key($1, gen_random_uuid(), 'test')`, [rows[0].secret_hash]),
      (client) => totals(client, 'benchmark_totals', [peer.tenant.id]),
    );
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
  });

  test('the function behind both, which takes any tenant, is not the app login\'s to call', async () => {
    const attempt = asApp(noTenant, (client) => totals(client, 'rollup_period_totals', [peer.tenant.id]));
    await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
  });
});

describe('with no tenant set (the jobs)', () => {
  test('benchmark_totals: the opted-in tenants only, summed per tenant and period', async () => {
    const ids = [participant, peer, optedOut].map(({ tenant }) => tenant.id);
    const { rows } = await asApp(noTenant, (client) => totals(client, 'benchmark_totals', ids));
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([participant.tenant.id, peer.tenant.id]));
    const own = rows.filter((row) => row.tenant_id === participant.tenant.id);
    expect(own.map((row) => row.period)).toEqual([0, 1, 2]);
    // January: 3 + 4 ratings; February: 5; the three months from March 2000: all but 1 March 2001.
    expect(own.map((row) => [row.external?.ratings, row.external?.satisfied, row.external?.effort_sum])).toEqual([
      [7, 5, 14],
      [5, 4, 10],
      [12, 9, 24],
    ]);
    expect(own.map((row) => row.internal && [row.internal.respondents, row.internal.willingness_favourable])).toEqual([null, [6, 2], [6, 2]]);
    // Sums of every counter, keyed by column, and nothing that locates a row (unit, day, kind).
    expect(Object.keys(own[0]!.external!)).toEqual(expect.arrayContaining(['ratings', 'quality_sum_sq', 'blamed_people', 'effort_n']));
    expect(Object.keys(own[0]!.external!)).not.toEqual(expect.arrayContaining(['unit_id']));
    for (const key of ['tenant_id', 'unit_id', 'day', 'customer_kind', 'period']) expect(own[0]!.external).not.toHaveProperty(key);
    expect(rows.find((row) => row.tenant_id === peer.tenant.id && row.period === 0)?.external?.ratings).toBe(9);
  });

  test('target_totals: the tenants with targets only', async () => {
    const ids = [participant, peer, optedOut].map(({ tenant }) => tenant.id);
    const { rows } = await asApp(noTenant, (client) => totals(client, 'target_totals', ids));
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([optedOut.tenant.id]));
    expect(rows.map((row) => row.external?.ratings)).toEqual([11, 7, 18]);
  });
});

describe('stage_benchmark_positions', () => {
  const position = (rank: number) => ['csat', 'all', 0.8, rank, ''];
  async function snapshot(published: boolean): Promise<string> {
    const id = crypto.randomUUID();
    await owner.query(
      `insert into benchmark_snapshots (id, period_kind, period_start, period_end, job_run_id, published_at)
       values ($1, 'month', '1998-01-01', '1998-02-01', $2, ${published ? 'now()' : 'null'})`,
      [id, STAGING_RUN],
    );
    return id;
  }
  const stage = (client: pg.PoolClient, snapshotId: string, positions: Record<string, unknown[][]>) =>
    client.query<{ written: number }>('select stage_benchmark_positions($1, $2) as written', [snapshotId, JSON.stringify(positions)]);
  const positionsOf = (snapshotId: string) =>
    owner.query('select tenant_id, percentile_rank from benchmark_positions where snapshot_id = $1 order by percentile_rank', [snapshotId]);

  beforeAll(async () => {
    await owner.query(`insert into job_runs (id, job, trigger, status) values ($1, 'totals-test', 'operator', 'succeeded')`, [STAGING_RUN]);
  });

  test("a tenant's batch cannot write positions, its own or a peer's", async () => {
    const id = await snapshot(false);
    for (const tenantId of [participant.tenant.id, peer.tenant.id]) {
      const attempt = asApp(
        (client) => client.query(`select set_config('app.tenant_id', $1, true)`, [participant.tenant.id]),
        (client) => stage(client, id, { [tenantId]: [position(99)] }),
      );
      await expect(attempt).rejects.toMatchObject({ code: '42501' });
    }
    expect((await positionsOf(id)).rows).toEqual([]);
  });

  test('a published snapshot cannot be written to', async () => {
    const id = await snapshot(true);
    const attempt = asApp(noTenant, (client) => stage(client, id, { [participant.tenant.id]: [position(99)] }));
    await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/unpublished/) });
  });

  test('with no tenant set: the opted-in tenants\' positions, none for the others', async () => {
    const id = await snapshot(false);
    const client = await app.connect();
    try {
      const { rows } = await stage(client, id, {
        [participant.tenant.id]: [position(10)],
        [peer.tenant.id]: [position(20)],
        [optedOut.tenant.id]: [position(30)],
      });
      expect(rows[0]!.written).toBe(2);
    } finally {
      client.release();
    }
    expect((await positionsOf(id)).rows).toEqual([
      { tenant_id: participant.tenant.id, percentile_rank: 10 },
      { tenant_id: peer.tenant.id, percentile_rank: 20 },
    ]);
  });
});
