import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  issueApiKey,
  ownerPool,
  problemOf,
  roundTrips,
  utcDate,
} from './helpers.ts';
import { dayOfMonth, seedInternalRatings } from '../lib/internal-seed.ts';

/** The first day (UTC) of the month `offset` months from this one. */
function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

interface Figure {
  value: number | null;
  n: number;
  standardError?: number | null;
  interval?: { low: number; high: number } | null;
  target: number | null;
  gap: number | null;
  trend: number | null;
}
type Period = {
  from: string;
  to: string;
  external: Record<string, Figure> & { ratings: number };
  internal: Record<string, unknown>;
  byCustomerKind?: Record<'occasional' | 'recurring', Record<string, Figure> & { ratings: number }>;
};
interface Scorecard {
  interval: string;
  unitId: string | null;
  periods: Period[];
}

let tenant: CreatedTenant;
let reader: string;
/**
 * Tree: tenant › region › (a: 6 respondents, b: 3, c: 7), all last month (internal figures are
 * published for ended months only), and `a` holds the external ratings.
 */
let region: string;
let a: string;
let b: string;
let c: string;
const to = utcDate(1);

beforeAll(async () => {
  tenant = await createTenant({ name: 'Scorecard' });
  const admin = tenant.apiKey.secret;
  reader = (await issueApiKey(admin, { scopes: ['reports:read'] })).secret;
  region = (await createUnit(admin, { name: 'Region' })).id;
  // One by one, c first: each new unit is a new version of the tree, and the disclosure rule decides
  // cells in the order they became possible, so c is shown and a, created later, is the one withheld.
  c = (await createUnit(admin, { name: 'C', parentId: region })).id;
  a = (await createUnit(admin, { name: 'A', parentId: region })).id;
  b = (await createUnit(admin, { name: 'B', parentId: region })).id;
  const lastMonth = `${monthStart(-1).slice(0, 8)}15T12:00:00Z`;
  await createExternalRatings(admin, [
    // This month: overall 5, 4, 4, 2; recommend 10, 9, 5, 7.
    externalRating(a, { overall: 5, recommend: 10, customerKind: 'occasional' }),
    externalRating(a, { overall: 4, recommend: 9, customerKind: 'occasional' }),
    externalRating(a, { overall: 4, recommend: 5, customerKind: 'recurring' }),
    externalRating(a, { overall: 2, recommend: 7, customerKind: 'recurring' }),
    // Last month: overall 3, 3.
    externalRating(a, { overall: 3, occurredAt: lastMonth }),
    externalRating(a, { overall: 3, occurredAt: lastMonth }),
  ]);
  const occurredOn = dayOfMonth(-1, 15);
  await seedInternalRatings(ownerPool(), tenant.tenant.id, [
    ...Array.from({ length: 6 }, () => internalRating(a, { occurredOn })),
    ...Array.from({ length: 3 }, () => internalRating(b, { occurredOn })),
    ...Array.from({ length: 7 }, () => internalRating(c, { occurredOn, willingness: 4 })),
  ]);
  const targets = [{ measure: 'overall', target: 4 }, { measure: 'csat', target: 0.8 }];
  expect((await api('/v1/targets', { method: 'PUT', key: admin, json: { targets } })).status).toBe(200);
});

async function scorecard(query: string, key = reader): Promise<Scorecard> {
  const response = await api(`/v1/scorecard?${query}`, { key });
  if (response.status !== 200) throw new Error(`scorecard: ${response.status} ${await response.text()}`);
  return (await response.json()) as Scorecard;
}

describe('GET /v1/scorecard', () => {
  test('means, CSAT and NPS with their uncertainty, gap to target and trend (hand-computed)', async () => {
    const { periods } = await scorecard(`from=${monthStart(-1)}&to=${to}`);
    // Periods are whole: `to` moves forward to the end of its month.
    expect(periods.map((p) => [p.from, p.to])).toEqual([[monthStart(-1), monthStart(0)], [monthStart(0), monthStart(1)]]);
    const { external } = periods[1]!;
    expect(external.ratings).toBe(4);
    // 5, 4, 4, 2: mean 3.75, sample variance 4.75 / 3, SE √(4.75 / 3 / 4).
    expect(external.overall!.value).toBe(3.75);
    expect(external.overall!.standardError).toBeCloseTo(0.629153, 6);
    expect(external.overall).toMatchObject({ n: 4, target: 4, gap: -0.25, trend: 0.75 });
    // 3 of 4 satisfied; Wilson 95%: 0.3006-0.9544. Last month 0 of 2.
    expect(external.csat).toMatchObject({ value: 0.75, n: 4, target: 0.8, trend: 0.75 });
    expect(external.csat!.gap).toBeCloseTo(-0.05, 12);
    expect(external.csat!.interval!.low).toBeCloseTo(0.300642, 6);
    expect(external.csat!.interval!.high).toBeCloseTo(0.954413, 6);
    // 2 promoters, 1 detractor of 4: NPS 25, ± 1.96·√((0.5 + 0.25 − 0.25²) / 4) = ± 81.26 points.
    expect(external.nps).toMatchObject({ value: 25, n: 4, target: null, gap: null, trend: null });
    expect(external.nps!.interval!.low).toBeCloseTo(-56.2558, 4);
    expect(external.nps!.interval!.high).toBe(100);
    expect(external.quantity).toEqual({ value: null, n: 0, standardError: null, target: null, gap: null, trend: null, change: null });
    expect(periods[0]!.external.overall).toMatchObject({ value: 3, n: 2, standardError: 0 });
  });

  test('an empty period has null figures with n 0', async () => {
    const { periods } = await scorecard(`from=${monthStart(-3)}&to=${monthStart(-2)}`);
    expect(periods).toHaveLength(1);
    const [{ external, internal }] = periods as [Period];
    expect(external.ratings).toBe(0);
    expect(external.csat).toEqual({ value: null, n: 0, interval: null, target: 0.8, gap: null, trend: null, change: null });
    expect(internal.respondents).toBe(0);
    expect(internal.supportIndex).toEqual({ value: null, n: 0, standardError: null, target: null, gap: null, trend: null, change: null });
    expect(internal.weakestRootCause).toBeNull();
  });

  test('split by customer kind gives external figures per kind', async () => {
    const { periods } = await scorecard(`from=${monthStart(0)}&to=${to}&split=customerKind`);
    const split = periods[0]!.byCustomerKind!;
    expect(split.occasional.overall!.value).toBe(4.5);
    expect(split.occasional.csat!.value).toBe(1);
    expect(split.recurring.overall!.value).toBe(3);
    expect(split.recurring.csat!.value).toBe(0.5);
    expect(split.recurring.nps!.value).toBe(-50);
    expect((await scorecard(`from=${monthStart(0)}&to=${to}`)).periods[0]!.byCustomerKind).toBeUndefined();
  });

  test('week, quarter and rolling12 periods', async () => {
    const weeks = await scorecard(`interval=week&from=${monthStart(-1)}&to=${to}`);
    for (const period of weeks.periods.slice(1)) expect(new Date(`${period.from}T00:00:00Z`).getUTCDay()).toBe(1);
    // Weeks straddle months: their internal figures are never published.
    for (const period of weeks.periods) expect(period.internal.supportIndex).toEqual({ suppressed: true, reason: 'not-published' });
    expect(weeks.periods.reduce((sum, p) => sum + p.external.ratings, 0)).toBe(6);
    const quarters = await scorecard(`interval=quarter&from=${monthStart(-1)}&to=${to}`);
    expect(Number(quarters.periods[0]!.from.slice(5, 7)) % 3).toBe(1);
    expect(quarters.periods.reduce((sum, p) => sum + p.external.ratings, 0)).toBe(6);
    // The 12 complete months before this one: last month's two ratings only.
    const rolling = await scorecard('interval=rolling12');
    expect(rolling.periods).toEqual([expect.objectContaining({ from: monthStart(-12), to: monthStart(0) })]);
    expect(rolling.periods[0]!.external.overall).toMatchObject({ value: 3, n: 2, trend: null });
  });

  test('default: the last 6 complete months', async () => {
    const { interval, periods } = await scorecard('');
    expect(interval).toBe('month');
    expect(periods.map((p) => p.from)).toEqual([-6, -5, -4, -3, -2, -1].map(monthStart));
  });

  test('internal figures: a unit of 3 is suppressed, and a sibling too so that subtraction reveals nothing', async () => {
    const query = `from=${monthStart(-1)}&to=${monthStart(0)}`;
    const whole = (await scorecard(query)).periods[0]!.internal;
    expect(whole.respondents).toBe(16);
    // 2 + 3 + 2 + 1 + 3 = 11 per respondent: index 2.2; recognition (1) is the weakest root cause.
    expect(whole.supportIndex).toMatchObject({ value: 2.2, n: 16 });
    expect(whole.weakestRootCause).toBe('recognition');
    const internalOf = async (unitId: string) => (await scorecard(`${query}&unitId=${unitId}`)).periods[0]!.internal;
    const small = await internalOf(b);
    expect(small.respondents).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    expect(small.supportIndex).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    expect(small.weakestRootCause).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    expect(JSON.stringify(small)).not.toMatch(/\d/);
    // region (16) − c (7) would be a + b; a (6), the smaller sibling, is hidden with b.
    const sibling = await internalOf(a);
    expect(sibling.enps).toEqual({ suppressed: true, reason: 'complementary' });
    expect((await internalOf(c)).willingness).toMatchObject({ value: 4, n: 7 });
    expect((await internalOf(region)).respondents).toBe(16);
  });

  test('split by tenure band or role gives internal figures per group, each under the disclosure rule', async () => {
    const query = `from=${monthStart(-1)}&to=${monthStart(0)}`;
    const [bands] = (await scorecard(`${query}&split=tenureBand`)).periods as [Period & { byTenureBand: Record<string, Record<string, unknown>> }];
    // Everyone answered as new staff: the band is the whole tenant, and no one is established.
    expect(bands.byTenureBand.new!.respondents).toBe(16);
    expect(bands.byTenureBand.established!.respondents).toBe(0);
    const [roles] = (await scorecard(`${query}&unitId=${b}&split=role`)).periods as [Period & { byRole: Record<string, Record<string, unknown>> }];
    expect(roles.byRole.frontline!.respondents).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    expect(roles.byRole.leader!.respondents).toBe(0);
    expect(roles.byCustomerKind).toBeUndefined();
  });

  test('answers in one round trip: authentication leads the batch', async () => {
    const before = await roundTrips();
    const response = await api(`/v1/scorecard?unitId=${region}&split=customerKind`, { key: reader });
    expect(response.status).toBe(200);
    expect((await roundTrips()) - before).toBe(1);
  });

  test("another tenant's unit, or none, is a 404", async () => {
    const other = await createTenant();
    const foreign = (await createUnit(other.apiKey.secret)).id;
    for (const unitId of [foreign, '0190a6a0-0000-7000-8000-000000000000']) {
      const response = await api(`/v1/scorecard?unitId=${unitId}`, { key: reader });
      expect(response.status).toBe(404);
      expect((await problemOf(response)).detail).toContain(unitId);
    }
  });

  test.each([
    [`from=${monthStart(0)}&to=${monthStart(-1)}`, '/from'],
    ['interval=week&from=2025-01-01&to=2026-01-01', '/from'],
    [`interval=rolling12&from=${monthStart(-1)}`, '/from'],
    ['interval=year', '/interval'],
    ['from=2026-13-01', '/from'],
    ['unitId=42', '/unitId'],
  ])('refuses %s with a 400 at %s', async (query, pointer) => {
    const response = await api(`/v1/scorecard?${query}`, { key: reader });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });

  test('needs reports:read', async () => {
    const writer = (await issueApiKey(tenant.apiKey.secret, { scopes: ['ratings:write'] })).secret;
    expect((await api('/v1/scorecard', { key: writer })).status).toBe(403);
  });
});
