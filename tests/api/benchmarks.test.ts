import { beforeAll, describe, expect, inject, test } from 'vitest';
import { noiseKey } from '../../worker/domain/benchmark-noise.ts';
import { publishedValues } from '../../worker/domain/benchmarks.ts';
import {
  api,
  assertWellFormedSvg,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  issueApiKey,
  type JobRun,
  operatorToken,
  ownerPool,
  problemOf,
  runBenchmarkJob,
  waitForJobRun,
} from './helpers.ts';

const owner = ownerPool();

// The periods before the start of this month: the last complete month is the previous one.
const now = new Date();
const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
const inLastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12)).toISOString();

const runJob = (body: unknown = { at }): Promise<JobRun> => runBenchmarkJob(body);

/** A tenant with `satisfied` of `ratings` ratings (overall 4, else 3) in the last complete month: csat = satisfied / ratings. */
async function tenantWith(region: string, ratings: number, satisfied: number, benchmarkOptIn = true): Promise<CreatedTenant> {
  const created = await createTenant({ name: `Bench ${region} ${satisfied}`, region, industry: 'utilities', benchmarkOptIn });
  const unit = await createUnit(created.apiKey.secret);
  const items = Array.from({ length: ratings }, (_, i) => externalRating(unit.id, { occurredAt: inLastMonth, overall: i < satisfied ? 4 : 3 }));
  await createExternalRatings(created.apiKey.secret, items);
  return created;
}

/** The IS tenants' csat as the job publishes it: each perturbed by its keyed draw (worker/domain/benchmark-noise.ts). */
async function perturbedCsats(): Promise<number[]> {
  const key = await noiseKey(inject('hashSecret'));
  return Promise.all(
    ranked.map(async (tenant, i) => (await publishedValues(key, { kind: 'month', start: monthStart }, tenant.tenant.id, { csat: CSAT_SATISFIED[i]! / 30 })).csat!),
  );
}

/** Mid-rank of ranked[i]'s true csat among the others' perturbed values and itself. */
function expectedRank(i: number, published: number[]): number {
  const value = CSAT_SATISFIED[i]! / 30;
  const others = published.filter((_, j) => j !== i);
  return ((others.filter((v) => v < value).length + 0.5 * (others.filter((v) => v === value).length + 1)) / 5) * 100;
}

const benchmark = (key: string, query = 'measure=csat&cohort=region&period=month') => api(`/v1/benchmarks?${query}`, { key });

interface Benchmark {
  computedAt: string;
  distribution: { suppressed: boolean; reason?: string; organizations?: number; mean: number; p10: number; p25: number; median: number; p75: number; p90: number };
  own: { ranked: boolean; reason?: string; value: number; percentileRank: number };
}

async function benchmarkOf(key: string, query?: string): Promise<Benchmark> {
  const response = await benchmark(key, query);
  expect(response.status).toBe(200);
  return (await response.json()) as Benchmark;
}

// Region cohorts no other test file uses: IS holds five ranked tenants, LI one (suppressed).
const CSAT_SATISFIED = [10, 15, 15, 20, 25];
let ranked: CreatedTenant[];
let lone: CreatedTenant;
let notOptedIn: CreatedTenant;
let tooFew: CreatedTenant;

beforeAll(async () => {
  // Benchmark data belongs to this feature alone; start from no snapshot to see the 404.
  await owner.query('delete from benchmark_snapshots');
  ranked = [];
  for (const satisfied of CSAT_SATISFIED) ranked.push(await tenantWith('IS', 30, satisfied));
  lone = await tenantWith('LI', 30, 30);
  notOptedIn = await tenantWith('IS', 30, 30, false);
  tooFew = await tenantWith('IS', 29, 29);
});

describe('benchmarks', () => {
  let firstRun: JobRun;

  test('no snapshot yet: 404 saying the job has not run', async () => {
    const problem = await problemOf(await benchmark(ranked[0]!.apiKey.secret));
    expect(problem.status).toBe(404);
    expect(problem.detail).toMatch(/job has not run/);
  });

  test('the operator runs the job; the run is recorded and listed', async () => {
    firstRun = await runJob();
    expect(firstRun).toMatchObject({ job: 'benchmarks', trigger: 'operator', status: 'succeeded', error: null });
    const periods = firstRun.summary.periods as { kind: string; start: string; snapshotId: string }[];
    expect(periods.map((p) => [p.kind, p.start])[0]).toEqual(['month', monthStart]);
    const list = await api('/v1/admin/job-runs?limit=5', { key: operatorToken });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { data: JobRun[] };
    expect(page.data[0]!.id).toBe(firstRun.id);
  });

  test('the distribution and the own percentile match a hand computation over the perturbed values', async () => {
    const body = await benchmarkOf(ranked[1]!.apiKey.secret);
    expect(body).toMatchObject({
      measure: 'csat',
      cohort: { kind: 'region', value: 'IS' },
      period: { kind: 'month', start: monthStart },
      distribution: { suppressed: false, organizations: 5 },
      own: { ranked: true },
    });
    // csat of IS: 10/30, 15/30, 15/30, 20/30, 25/30, each published as its perturbed stand-in.
    const published = await perturbedCsats();
    const sorted = [...published].sort((a, b) => a - b);
    // Type 7: position (n − 1)p = 4p.
    const type7 = (p: number) => sorted[Math.floor(4 * p)]! + (4 * p - Math.floor(4 * p)) * ((sorted[Math.floor(4 * p) + 1] ?? 0) - sorted[Math.floor(4 * p)]!);
    const d = body.distribution;
    expect(d.mean).toBeCloseTo(published.reduce((a, b) => a + b, 0) / 5, 12);
    expect(d.p10).toBeCloseTo(type7(0.1), 12);
    expect(d.p25).toBeCloseTo(type7(0.25), 12);
    expect(d.median).toBeCloseTo(sorted[2]!, 12);
    expect(d.p75).toBeCloseTo(type7(0.75), 12);
    expect(d.p90).toBeCloseTo(type7(0.9), 12);
    // None of them is a true value: the perturbation moved every one.
    for (const value of published) expect(CSAT_SATISFIED.map((satisfied) => satisfied / 30)).not.toContain(value);
    // The own value is true; its rank is among the four others' perturbed values, itself counted as ½.
    expect(body.own.value).toBeCloseTo(0.5, 9);
    expect(body.own.percentileRank).toBeCloseTo(expectedRank(1, published), 9);
    const top = await benchmarkOf(ranked[4]!.apiKey.secret);
    expect(top.own.percentileRank).toBeCloseTo(expectedRank(4, published), 9);
  });

  test('no response carries another tenant’s identity', async () => {
    const text = await (await benchmark(ranked[0]!.apiKey.secret, 'measure=csat&cohort=all&period=month')).text();
    for (const other of [...ranked.slice(1), lone, notOptedIn, tooFew]) {
      expect(text).not.toContain(other.tenant.id);
      expect(text).not.toContain(other.tenant.name);
    }
    expect(text).not.toContain(ranked[0]!.tenant.id);
  });

  test('a tenant not opted in, and one with too few answers, are told why and see no distribution (give to get)', async () => {
    const off = await benchmarkOf(notOptedIn.apiKey.secret);
    expect(off.distribution).toEqual({ suppressed: true, reason: expect.stringMatching(/^Give to get/) });
    expect(off.own).toMatchObject({ ranked: false, reason: 'notOptedIn' });
    const few = await benchmarkOf(tooFew.apiKey.secret);
    expect(few.own).toMatchObject({ ranked: false, reason: 'tooFewAnswers' });
    expect(few.distribution.suppressed).toBe(true);
  });

  test('a cohort under 5 organizations is suppressed', async () => {
    const body = await benchmarkOf(lone.apiKey.secret);
    expect(body.distribution).toEqual({ suppressed: true, reason: expect.stringMatching(/Fewer than 5/) });
    expect(body.own).toMatchObject({ ranked: false, reason: 'cohortSuppressed' });
    expect(JSON.stringify(body)).not.toContain('"value":1');
  });

  test('a rerun replaces the snapshot: one per period, a new id', async () => {
    const before = await benchmarkOf(ranked[0]!.apiKey.secret);
    const rerun = await runJob();
    expect(rerun.status).toBe('succeeded');
    const { rows } = await owner.query('select id, job_run_id from benchmark_snapshots where period_kind = $1 and period_start = $2', ['month', monthStart]);
    expect(rows).toHaveLength(1);
    expect(rows[0].job_run_id).toBe(rerun.id);
    const firstId = (firstRun.summary.periods as { snapshotId: string }[])[0]!.snapshotId;
    expect(rows[0].id).not.toBe(firstId);
    const after = await benchmarkOf(ranked[0]!.apiKey.secret);
    expect(after.computedAt > before.computedAt).toBe(true);
    expect(after.own).toEqual(before.own);
  });

  test('a failing run is recorded as failed and leaves the previous snapshot', async () => {
    const before = await benchmarkOf(ranked[0]!.apiKey.secret);
    // The replacement's last writes fail: the delete and inserts before them must roll back.
    await owner.query(`create function pg_temp_fail_positions() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`);
    await owner.query('create trigger fail_positions before insert on benchmark_positions execute function pg_temp_fail_positions()');
    try {
      const run = await runJob();
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/injected failure/);
    } finally {
      await owner.query('drop trigger fail_positions on benchmark_positions');
      await owner.query('drop function pg_temp_fail_positions()');
    }
    const after = await benchmarkOf(ranked[0]!.apiKey.secret);
    expect(after).toEqual(before);
    const list = (await (await api('/v1/admin/job-runs?limit=1', { key: operatorToken })).json()) as { data: JobRun[] };
    expect(list.data[0]).toMatchObject({ status: 'failed', trigger: 'operator' });
  });

  test('the cron trigger records a run', async () => {
    const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}`);
    expect(response.status).toBe(200);
    let newest: JobRun | undefined;
    for (let attempt = 0; attempt < 50 && newest?.trigger !== 'cron'; attempt++) {
      const page = (await (await api('/v1/admin/job-runs?limit=1', { key: operatorToken })).json()) as { data: JobRun[] };
      newest = page.data[0];
      if (newest?.trigger !== 'cron') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(newest).toMatchObject({ trigger: 'cron', job: 'benchmarks' });
    expect(await waitForJobRun(newest!.id)).toMatchObject({ status: 'succeeded', error: null });
  });

  test('the chart is well-formed SVG with the marker and percentile', async () => {
    const response = await api('/v1/benchmarks/chart.svg?measure=csat&cohort=region&period=month', { key: ranked[1]!.apiKey.secret });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await response.text();
    assertWellFormedSvg(svg);
    expect(svg).toContain('width="640"');
    expect(svg).toContain(`percentile ${Number(expectedRank(1, await perturbedCsats()).toFixed(1))}`);
    expect(svg).toContain('data-marker="own"');
    expect(svg).not.toContain('NaN');
    const suppressed = await (await api('/v1/benchmarks/chart.svg?measure=csat&cohort=region', { key: lone.apiKey.secret })).text();
    assertWellFormedSvg(suppressed);
    expect(suppressed).toContain('Fewer than 5');
  });

  test('401 and 403', async () => {
    expect((await problemOf(await api('/v1/benchmarks?measure=csat'))).status).toBe(401);
    const reader = await issueApiKey(ranked[0]!.apiKey.secret, { scopes: ['ratings:read'] });
    expect((await problemOf(await benchmark(reader.secret))).status).toBe(403);
    expect((await problemOf(await api('/v1/benchmarks/chart.svg?measure=csat', { key: reader.secret }))).status).toBe(403);
    // Tenant credentials are not the operator's.
    expect((await problemOf(await api('/v1/admin/job-runs', { key: ranked[0]!.apiKey.secret }))).status).toBe(401);
    expect((await problemOf(await api('/v1/admin/jobs/benchmarks', { method: 'POST', key: ranked[0]!.apiKey.secret, json: {} }))).status).toBe(401);
    expect((await problemOf(await benchmark(ranked[0]!.apiKey.secret, 'measure=bogus'))).status).toBe(400);
  });
});
