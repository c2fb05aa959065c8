import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  type JobRun,
  operatorToken,
  ownerPool,
  problemOf,
  runBenchmarkJob,
  startBenchmarkRun,
  waitForJobRun,
} from './helpers.ts';

/*
 * The benchmark job as a Workflow, through the real worker: the engine in Miniflare runs the steps.
 * Workers started here with `BENCHMARK_FAULT` fail chosen steps (worker/jobs/benchmarks.ts); they
 * share the database with the suite's worker, but each has its own Workflow engine.
 */

const owner = ownerPool();

const now = new Date();
const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
const inLastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 12, 12)).toISOString();

function faultyWorker(fault: string): Promise<RunningWorker> {
  return startWorker(
    {
      DATABASE_URL: inject('databaseUrl'),
      LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
      OPERATOR_TOKEN: inject('operatorToken'),
      JWT_SIGNING_KEYS: inject('signingKeys'),
      // The same key as the suite's worker: the benchmark's perturbation is keyed by it.
      HASH_SECRET: inject('hashSecret'),
      BENCHMARK_FAULT: fault,
    },
    { script: inject('workerScript') },
  );
}

interface Benchmark {
  computedAt: string;
  own: { ranked: boolean; value?: number };
}

async function csatOf(tenant: CreatedTenant): Promise<Benchmark> {
  const response = await api('/v1/benchmarks?measure=csat&cohort=region&period=month', { key: tenant.apiKey.secret });
  expect(response.status).toBe(200);
  return (await response.json()) as Benchmark;
}

async function publishedMonth(): Promise<{ id: string; job_run_id: string }[]> {
  const { rows } = await owner.query(
    `select id, job_run_id from benchmark_snapshots where period_kind = 'month' and period_start = $1 and published_at is not null`,
    [monthStart],
  );
  return rows;
}

async function stepsOf(run: JobRun): Promise<Map<string, Date>> {
  const { rows } = await owner.query<{ step: string; done_at: Date }>('select step, done_at from job_run_steps where job_run_id = $1', [run.id]);
  return new Map(rows.map((row) => [row.step, row.done_at]));
}

// A region cohort of its own (Malta): five ranked tenants, the first subscribed to the published event.
let tenants: CreatedTenant[];
let unitOfFirst: string;

beforeAll(async () => {
  tenants = [];
  for (const satisfied of [12, 15, 18, 21, 24]) {
    const created = await createTenant({ name: `Workflow MT ${satisfied}`, region: 'MT', industry: 'utilities', benchmarkOptIn: true });
    const unit = await createUnit(created.apiKey.secret);
    if (tenants.length === 0) unitOfFirst = unit.id;
    await createExternalRatings(
      created.apiKey.secret,
      Array.from({ length: 30 }, (_, i) => externalRating(unit.id, { occurredAt: inLastMonth, overall: i < satisfied ? 4 : 3 })),
    );
    tenants.push(created);
  }
  const hook = await api('/v1/webhook-endpoints', {
    method: 'POST',
    key: tenants[0]!.apiKey.secret,
    json: { url: 'http://127.0.0.1:9/hook', eventTypes: ['benchmark.snapshot.published'] },
  });
  expect(hook.status).toBe(201);
}, 60_000);

describe('the operator route is asynchronous', () => {
  test('202 with the queued run and its Location; GET reports status and progress to the end', async () => {
    const response = await api('/v1/admin/jobs/benchmarks', { method: 'POST', key: operatorToken, json: { at } });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as JobRun;
    expect(response.headers.get('location')).toBe(`/v1/admin/job-runs/${queued.id}`);
    expect(queued).toMatchObject({ job: 'benchmarks', trigger: 'operator', status: 'queued', finishedAt: null });
    const run = await waitForJobRun(queued.id);
    expect(run).toMatchObject({ status: 'succeeded', error: null, progress: { lastStep: 'finish' } });
    expect(run.progress.stepsTotal).toBe(run.progress.stepsDone);
    expect(run.progress.tenantsTotal).toBe(run.progress.tenantsDone);
    expect(run.progress.tenantsDone).toBeGreaterThanOrEqual(5);
    expect(run.summary).toMatchObject({ participants: run.progress.tenantsTotal });
  }, 60_000);

  test('an unknown run is a 404, and tenants are not the operator', async () => {
    const missing = await api('/v1/admin/job-runs/00000000-0000-7000-8000-000000000000', { key: operatorToken });
    expect((await problemOf(missing)).status).toBe(404);
    expect((await problemOf(await api('/v1/admin/job-runs/not-a-uuid', { key: operatorToken }))).status).toBe(404);
    const run = (await (await api('/v1/admin/job-runs?limit=1', { key: operatorToken })).json()) as { data: JobRun[] };
    expect((await problemOf(await api(`/v1/admin/job-runs/${run.data[0]!.id}`, { key: tenants[0]!.apiKey.secret }))).status).toBe(401);
  });
});

describe('publishing', () => {
  let faulty: RunningWorker;
  beforeAll(async () => {
    faulty = await faultyWorker('publish@always');
    // Booting it takes seconds under load; a GET (which undici retries on a stale socket) renews the
    // idle keep-alive connection before the test's first POST, which it would not retry.
    await api('/health');
  }, 60_000);
  afterAll(() => faulty?.dispose());

  test('readers see the old snapshot until the flip, with the new one fully staged; the next run publishes and cleans up', async () => {
    const first = await runBenchmarkJob({ at });
    expect(first.status).toBe('succeeded');
    const old = await csatOf(tenants[0]!);
    expect(old.own).toMatchObject({ ranked: true, value: 12 / 30 });

    // 30 more satisfied ratings: the first tenant's csat becomes 42/60.
    await createExternalRatings(
      tenants[0]!.apiKey.secret,
      Array.from({ length: 30 }, () => externalRating(unitOfFirst, { occurredAt: inLastMonth, overall: 5 })),
    );
    const stuck = await runBenchmarkJob({ at }, faulty.url);
    expect(stuck).toMatchObject({ status: 'failed', error: expect.stringMatching(/injected fault: publish/) });
    // Every staging step was done; publishing never was.
    const steps = await stepsOf(stuck);
    expect(steps.has('publish')).toBe(false);
    expect(stuck.progress.lastStep).toMatch(/^stage (month|quarter|rolling12) \d+$/);

    const { rows: staged } = await owner.query(
      `select s.id, p.value from benchmark_snapshots s join benchmark_positions p on p.snapshot_id = s.id
       where s.job_run_id = $1 and s.published_at is null and s.period_kind = 'month' and p.tenant_id = $2 and p.measure = 'csat' and p.cohort_kind = 'region'`,
      [stuck.id, tenants[0]!.tenant.id],
    );
    expect(staged).toHaveLength(1);
    expect(staged[0].value).toBeCloseTo(42 / 60, 9);
    // The staged snapshot is there in full, yet readers still get the published one, unchanged.
    expect(await csatOf(tenants[0]!)).toEqual(old);
    expect((await publishedMonth()).map((row) => row.job_run_id)).toEqual([first.id]);

    const next = await runBenchmarkJob({ at });
    expect(next.status).toBe('succeeded');
    const after = await csatOf(tenants[0]!);
    expect(after.own.value).toBeCloseTo(42 / 60, 9);
    expect(after.computedAt > old.computedAt).toBe(true);
    expect((await publishedMonth()).map((row) => row.job_run_id)).toEqual([next.id]);
    const { rows: leftovers } = await owner.query('select id from benchmark_snapshots where job_run_id = $1', [stuck.id]);
    expect(leftovers).toEqual([]);
  }, 90_000);
});

describe('a run that fails in the middle resumes', () => {
  let faulty: RunningWorker;
  beforeAll(async () => {
    // Fails the first attempt of four steps: one before its reads, three after their writes committed.
    faulty = await faultyWorker('compute 0@before,stage month 0@after,publish@after,events month 0@after');
  }, 60_000);
  afterAll(() => faulty?.dispose());

  test('each failed step is retried by the engine and writes once: one snapshot, one event per tenant', async () => {
    const run = await runBenchmarkJob({ at }, faulty.url);
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect(run.progress.stepsDone).toBe(run.progress.stepsTotal);
    // Four retries, each after the engine's 1 s delay: the faults did fire.
    expect(Date.parse(run.finishedAt!) - Date.parse(run.startedAt)).toBeGreaterThanOrEqual(4_000);

    const month = await publishedMonth();
    expect(month.map((row) => row.job_run_id)).toEqual([run.id]);
    const { rows: positions } = await owner.query<{ tenants: number; rows: number }>(
      `select count(distinct tenant_id)::int as tenants, count(*)::int as rows from benchmark_positions where snapshot_id = $1`,
      [month[0]!.id],
    );
    const monthSummary = (run.summary.periods as { kind: string; rankedOrganizations: number }[]).find((period) => period.kind === 'month')!;
    expect(positions[0]!.tenants).toBe(monthSummary.rankedOrganizations);
    const { rows: events } = await owner.query(
      `select id from webhook_events where tenant_id = $1 and type = 'benchmark.snapshot.published' and data->>'snapshotId' = $2`,
      [tenants[0]!.tenant.id, month[0]!.id],
    );
    expect(events).toHaveLength(1);
  }, 90_000);
});

describe('a run whose instance is gone', () => {
  // As after `npm start` was stopped mid-run: the row says running, the engine knows no such instance.
  test('no longer holds the job: the next run marks it failed and goes ahead', async () => {
    // The smallest time-ordered id: it sorts last in listings of job runs, behind every real one.
    const { rows } = await owner.query(
      `insert into job_runs (id, job, trigger, status) values ('00000000-0000-7000-8000-000000000001', 'benchmarks', 'cron', 'running') returning id`,
    );
    const run = await runBenchmarkJob({ at });
    expect(run.status).toBe('succeeded');
    const { rows: dead } = await owner.query('select status, error, finished_at from job_runs where id = $1', [rows[0].id]);
    expect(dead[0]).toMatchObject({ status: 'failed', error: 'its Workflow instance is unknown to the engine' });
    expect(dead[0].finished_at).not.toBeNull();
  }, 60_000);
});

describe('two runs at once', () => {
  test('never interleave: the second waits (queued) until the first has finished', async () => {
    const [a, b] = await Promise.all([startBenchmarkRun({ at }), startBenchmarkRun({ at })]);
    const runs = await Promise.all([waitForJobRun(a!.id), waitForJobRun(b!.id)]);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    const [stepsA, stepsB] = await Promise.all(runs.map(stepsOf));
    const [first, second] = stepsA!.get('claim')! < stepsB!.get('claim')! ? [stepsA!, stepsB!] : [stepsB!, stepsA!];
    const lastOfFirst = Math.max(...[...first.values()].map(Number));
    const firstOfSecond = Math.min(...[...second.values()].map(Number));
    expect(firstOfSecond).toBeGreaterThanOrEqual(lastOfFirst);
    const secondRun = second === stepsA ? runs[0]! : runs[1]!;
    expect((await publishedMonth()).map((row) => row.job_run_id)).toEqual([secondRun.id]);
  }, 90_000);
});
