/**
 * Issue 19, the operator's audit log: a benchmark run spans tenants, so its start is recorded in
 * `operator_audit_events` (no tenant), in the transaction that creates the run. Attack tests: no
 * tenant credential reads it, and no transaction with a tenant set can read or write it.
 */
import pg from 'pg';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { api, createTenant, operatorToken, ownerPool, problemOf, until, waitForJobRun } from './helpers.ts';

const owner = ownerPool();
/** The worker's own login: the app role, subject to row-level security. */
const app = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
afterAll(() => app.end());

interface OperatorEvent {
  id: string;
  occurredAt: string;
  action: string;
  actor: { type: string };
  targetId: string | null;
  requestId: string | null;
  clientRequestId: string | null;
  details: Record<string, unknown>;
}

/** The runs this file started. */
const started: string[] = [];
const operatorLog = (query = '') => api(`/v1/admin/audit-events${query}`, { key: operatorToken });

/** Starts a run labelled `label` (X-Request-Id) and waits for it to end. */
async function startRun(label: string): Promise<{ id: string }> {
  const response = await api('/v1/admin/jobs/benchmarks', {
    method: 'POST',
    key: operatorToken,
    json: { at: '2026-11-01T00:00:00Z' },
    headers: { 'X-Request-Id': label },
  });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  started.push(id);
  await waitForJobRun(id);
  return { id };
}

/** Runs `sql` as the app role in a transaction with `tenantId` set (none: no tenant), then rolls it back. */
async function asApp<T extends pg.QueryResultRow>(tenantId: string | undefined, sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = await app.connect();
  try {
    await client.query('begin');
    if (tenantId) await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    return await client.query<T>(sql, params);
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

const insertEvent = `insert into operator_audit_events (id, action, actor_type, details) values (gen_random_uuid(), 'job_run.started', 'operator', '{}') returning id`;

describe('the operator audit log', () => {
  test('an operator run is recorded with its request, its client label and what it computes', async () => {
    const run = await startRun('operator-audit-1');
    const response = await operatorLog('?action=job_run.started');
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: OperatorEvent[] };
    const event = data.find((e) => e.targetId === run.id);
    // The server's own id of the request; the client's label is recorded apart, as in the tenant log.
    expect(event?.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event).toMatchObject({
      action: 'job_run.started',
      actor: { type: 'operator' },
      clientRequestId: 'operator-audit-1',
      details: { job: 'benchmarks', trigger: 'operator', at: '2026-11-01T00:00:00.000Z' },
    });
  });

  test('pages newest first with a Link header, and filters by time', async () => {
    const before = new Date().toISOString();
    const first = await startRun('operator-audit-page-1');
    const second = await startRun('operator-audit-page-2');
    const page1 = await operatorLog(`?limit=1&from=${encodeURIComponent(before)}`);
    const body1 = (await page1.json()) as { data: OperatorEvent[]; nextCursor: string | null };
    expect(body1.data.map((e) => e.targetId)).toEqual([second.id]);
    const link = page1.headers.get('link');
    expect(link).toMatch(/^<\/v1\/admin\/audit-events\?[^>]*cursor=[^>]+>; rel="next"$/);
    const page2 = await api(link!.slice(1, link!.indexOf('>')), { key: operatorToken });
    const body2 = (await page2.json()) as { data: OperatorEvent[]; nextCursor: string | null };
    expect(body2.data.map((e) => e.targetId)).toEqual([first.id]);
    expect(body2.nextCursor).toBeNull();
    const none = (await (await operatorLog(`?to=${encodeURIComponent(before)}&from=${encodeURIComponent(before)}`)).json()) as { data: OperatorEvent[] };
    expect(none.data).toEqual([]);
  });

  test('a scheduled run is recorded as the schedule, with no request', async () => {
    const before = new Date();
    const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}`);
    expect(response.status).toBe(200);
    const runId = await until(async () => {
      const { rows } = await owner.query<{ id: string }>(`select id from job_runs where trigger = 'cron' and started_at >= $1 order by id desc limit 1`, [before]);
      return rows[0]?.id;
    }, 'the scheduled run');
    started.push(runId);
    await waitForJobRun(runId);
    const { data } = (await (await operatorLog()).json()) as { data: OperatorEvent[] };
    expect(data.find((e) => e.targetId === runId)).toMatchObject({ actor: { type: 'schedule' }, requestId: null, details: { trigger: 'cron' } });
  });

  test('every run started here has exactly one audit row (written in the transaction that creates the run)', async () => {
    // Only this file's runs: other files arrange job_runs rows behind the API's back in the shared database.
    const { rows } = await owner.query<{ id: string; events: number }>(
      `select r.id, (select count(*)::int from operator_audit_events e where e.target_id = r.id and e.action = 'job_run.started') as events
       from job_runs r where r.id = any ($1::uuid[])`,
      [started],
    );
    expect(rows).toHaveLength(started.length);
    expect(rows.filter((row) => row.events !== 1)).toEqual([]);
  });

  test('bad filters are 400 problems naming the parameter', async () => {
    const unknown = await operatorLog('?action=tenant.created');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await problemOf(unknown))).toContain('Unknown action: tenant.created');
    expect((await operatorLog('?from=yesterday')).status).toBe(400);
  });
});

describe('attacks on the operator audit log', () => {
  test('a tenant credential cannot read it, and the tenant log does not hold it', async () => {
    const tenant = await createTenant({ name: 'Operator log attacker' });
    const asTenant = await api('/v1/admin/audit-events', { key: tenant.apiKey.secret });
    expect(asTenant.status).toBe(401);
    expect((await problemOf(asTenant)).type).toMatch(/unauthorized$/);
    const own = await api('/v1/audit-events?action=job_run.started', { key: tenant.apiKey.secret });
    expect(own.status).toBe(400);
  });

  test('with a tenant set the app role sees no row and cannot insert one', async () => {
    const { rows: all } = await owner.query<{ n: number }>('select count(*)::int as n from operator_audit_events');
    expect(all[0]!.n).toBeGreaterThan(0);
    const tenant = await createTenant({ name: 'Operator log RLS' });
    const seen = await asApp<{ n: number }>(tenant.tenant.id, 'select count(*)::int as n from operator_audit_events');
    expect(seen.rows[0]!.n).toBe(0);
    await expect(asApp(tenant.tenant.id, insertEvent)).rejects.toMatchObject({ code: '42501' });
    // The control: with no tenant set the same statement passes (and is rolled back).
    expect((await asApp(undefined, insertEvent)).rowCount).toBe(1);
  });

  test('it is append-only: the app role may not change or delete a row, the owner neither', async () => {
    await expect(asApp(undefined, `update operator_audit_events set details = '{"forged":true}'`)).rejects.toMatchObject({ code: '42501' });
    await expect(asApp(undefined, 'delete from operator_audit_events')).rejects.toMatchObject({ code: '42501' });
    await expect(owner.query('delete from operator_audit_events')).rejects.toMatchObject({ code: '42501' });
  });
});
