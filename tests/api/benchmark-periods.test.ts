/**
 * Issue 17, benchmarks a reader can use: 12 whole months as well as month and quarter, any computed
 * period by its start and a list of them, which way is better for each measure (so a percentile always
 * reads "better than N% of peers"), a whole percentile beside the mid-rank, and where the top 10% and
 * top 25% start.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { monthStart } from '../lib/internal-seed.ts';
import { api, type CreatedTenant, createExternalRatings, createTenant, createUnit, externalRating, ownerPool, runBenchmarkJob } from './helpers.ts';

const owner = ownerPool();
const INDUSTRY = 'hospitality';
const at = (offset: number) => new Date(`${monthStart(offset)}T00:00:00Z`).toISOString();
const tenants: CreatedTenant[] = [];

async function read(key: string, query: string): Promise<any> {
  const response = await api(`/v1/benchmarks?${query}`, { key });
  expect(response.status, query).toBe(200);
  return response.json();
}

beforeAll(async () => {
  await owner.query('update tenants set benchmark_opt_in = false');
  // Six hotels; hotel k has 8k of its 40 dissatisfied customers blaming attitude, in each of the last two months.
  // Benchmarked as posterior means, (8k + 9) / 50, they stand 0.16 apart: over 6 noise scales, so a peer's
  // perturbed value crosses a neighbour's true one about once in 1,000 runs.
  for (let k = 0; k < 6; k++) {
    const tenant = await createTenant({ name: `Hotel ${k}`, industry: INDUSTRY, region: 'GR', sizeBand: '50-249', benchmarkOptIn: true });
    const unit = await createUnit(tenant.apiKey.secret);
    const items = [-2, -1].flatMap((offset) =>
      Array.from({ length: 60 }, (_, j) =>
        externalRating(unit.id, {
          occurredAt: new Date(Date.parse(at(offset)) + (j + 1) * 3_600_000).toISOString(),
          overall: j < 40 ? 2 : 5,
          ...(j < 40 && { blamesAttitude: j < 8 * k }),
        }),
      ),
    );
    await createExternalRatings(tenant.apiKey.secret, items);
    tenants.push(tenant);
  }
  // Computed as of the start of last month, then of this one: two months, two rolling windows.
  for (const when of [at(-1), at(0)]) expect(await runBenchmarkJob({ at: when })).toMatchObject({ status: 'succeeded' });
}, 120_000);

describe('periods', () => {
  test('12 whole months are a period of their own', async () => {
    const body = await read(tenants[0]!.apiKey.secret, 'measure=csat&cohort=industry&period=rolling12');
    expect(body.period).toEqual({ kind: 'rolling12', start: monthStart(-12), end: monthStart(0) });
    expect(body.distribution).toMatchObject({ suppressed: false, organizations: 6 });
  });

  test('the computed periods are listed, and each can be read by its start', async () => {
    const response = await api('/v1/benchmarks/snapshots?period=month', { key: tenants[0]!.apiKey.secret });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { period: { kind: string; start: string } }[] };
    const starts = data.map((snapshot) => snapshot.period.start);
    expect(starts).toEqual(expect.arrayContaining([monthStart(-1), monthStart(-2)]));
    for (const start of [monthStart(-1), monthStart(-2)]) {
      expect((await read(tenants[0]!.apiKey.secret, `measure=csat&period=month&start=${start}`)).period.start).toBe(start);
    }
    const all = (await (await api('/v1/benchmarks/snapshots?limit=1', { key: tenants[0]!.apiKey.secret })).json()) as { data: unknown[]; nextCursor: string | null };
    expect(all.data).toHaveLength(1);
    expect(all.nextCursor).not.toBeNull();
  });

  test('a period never computed is a 404 that says where to look', async () => {
    const response = await api(`/v1/benchmarks?measure=csat&period=month&start=${monthStart(-30)}`, { key: tenants[0]!.apiKey.secret });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toContain('/v1/benchmarks/snapshots');
  });
});

describe('reading a position', () => {
  test('where less is better, the lowest blame share is better than most peers, and the top 10% start at p10', async () => {
    const best = await read(tenants[0]!.apiKey.secret, 'measure=attitudeBlameShare&cohort=industry&period=month');
    expect(best.direction).toBe('lower');
    // None of 40 blames attitude: benchmarked as the posterior mean under the study's prior, 90% of 10 answers.
    expect(best.own).toMatchObject({ ranked: true });
    expect(best.own.value).toBeCloseTo((0 + 0.9 * 10) / (40 + 10), 12);
    expect(best.own.percentileRank).toBeGreaterThan(80);
    expect(best.own.percentile).toBe(Math.round(best.own.percentileRank));
    expect(best.distribution.top10Percent).toBe(best.distribution.p10);
    expect(best.distribution.top25Percent).toBe(best.distribution.p25);
    const worst = await read(tenants[5]!.apiKey.secret, 'measure=attitudeBlameShare&cohort=industry&period=month');
    expect(worst.own.percentileRank).toBeLessThan(20);
    expect(worst.own.percentile).toBeGreaterThanOrEqual(1);
  });

  test('where more is better, nothing turns: the top 10% start at p90', async () => {
    const body = await read(tenants[0]!.apiKey.secret, 'measure=csat&cohort=industry&period=month');
    expect(body.direction).toBe('higher');
    expect(body.distribution.top10Percent).toBe(body.distribution.p90);
    expect(body.distribution.top25Percent).toBe(body.distribution.p75);
    expect(Number.isInteger(body.own.percentile)).toBe(true);
  });
});
