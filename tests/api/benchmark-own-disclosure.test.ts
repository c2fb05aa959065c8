/**
 * Issue 14: a benchmark's "own value" is an internal figure like any other, so it is shown only when
 * the disclosure rule publishes that cell. The attack: last month 10 employees answer, the month
 * before 3. Rolling 12 months (13 respondents) is published; the month alone would isolate the 3
 * earlier ones (13 × rolling − 10 × month = their sum), so the scorecard withholds it — and the
 * benchmark used to show it anyway as the tenant's own value.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import { api, type CreatedTenant, createTenant, createUnit, internalRating, ownerPool, runBenchmarkJob } from './helpers.ts';

const owner = ownerPool();
const INDUSTRY = 'utilities';
const day = (offset: number) => `${monthStart(offset).slice(0, 8)}12`;

async function rate(tenant: CreatedTenant, unitId: string, offset: number, respondents: number, score: (j: number) => number): Promise<void> {
  const items = Array.from({ length: respondents }, (_, j) => {
    const s = score(j);
    return internalRating(unitId, { occurredOn: day(offset), commitments: s, internalCulture: s, empowerment: s, recognition: s, leadershipSupport: s });
  });
  await seedInternalRatings(owner, tenant.tenant.id, items);
}

let victim: CreatedTenant;
const peers: CreatedTenant[] = [];

beforeAll(async () => {
  await owner.query('update tenants set benchmark_opt_in = false');
  victim = await createTenant({ name: 'Victim', industry: INDUSTRY, region: 'PT', sizeBand: '50-249', benchmarkOptIn: true });
  const unit = await createUnit(victim.apiKey.secret);
  await rate(victim, unit.id, -2, 3, (j) => [1, 2, 5][j]!);
  await rate(victim, unit.id, -1, 10, (j) => 1 + (j % 5));
  for (let k = 0; k < 4; k++) {
    const peer = await createTenant({ name: `Peer ${k}`, industry: INDUSTRY, region: 'PT', sizeBand: '50-249', benchmarkOptIn: true });
    await rate(peer, (await createUnit(peer.apiKey.secret)).id, -1, 10, (j) => 1 + ((j + k) % 4));
    peers.push(peer);
  }
  expect(await runBenchmarkJob({ at: new Date(`${monthStart(0)}T00:00:00Z`).toISOString() })).toMatchObject({ status: 'succeeded' });
}, 120_000);

describe("the tenant's own internal value follows the disclosure rule", () => {
  test('the scorecard withholds last month (complementary to rolling 12), and the benchmark does too', async () => {
    const month = (await (await api(`/v1/scorecard?interval=month&from=${monthStart(-1)}&to=${monthStart(0)}`, { key: victim.apiKey.secret })).json()) as any;
    expect(month.periods[0].internal.respondents).toEqual({ suppressed: true, reason: 'complementary' });
    const rolling = (await (await api(`/v1/scorecard?interval=rolling12&to=${monthStart(0)}`, { key: victim.apiKey.secret })).json()) as any;
    expect(rolling.periods[0].internal.respondents).toBe(13);

    for (const measure of ['supportIndex', 'leadershipSupport', 'willingness']) {
      const response = await api(`/v1/benchmarks?measure=${measure}&cohort=industry&period=month`, { key: victim.apiKey.secret });
      expect(response.status).toBe(200);
      const read = (await response.json()) as any;
      expect(read.own).toEqual({ ranked: false, reason: 'withheld', detail: expect.stringMatching(/anonymity/) });
      // It gave, so it gets the (perturbed) distribution of its five organizations.
      expect(read.distribution).toMatchObject({ suppressed: false, organizations: 5 });
      const chart = await api(`/v1/benchmarks/chart.svg?measure=${measure}&cohort=industry&period=month`, { key: victim.apiKey.secret });
      expect(await chart.text()).not.toMatch(/percentile/i);
    }
  });

  test('a peer whose month is published sees its own value, and external measures are untouched', async () => {
    const read = (await (await api('/v1/benchmarks?measure=supportIndex&cohort=industry&period=month', { key: peers[0]!.apiKey.secret })).json()) as any;
    expect(read.own).toMatchObject({ ranked: true, value: expect.any(Number), percentileRank: expect.any(Number) });
  });
});
