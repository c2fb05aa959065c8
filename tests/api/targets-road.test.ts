/**
 * Targets with a baseline, a deadline and a unit (issue 17 item 4): how they are set and refused, and
 * the road the scorecard shows for them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  ownerPool,
  problemOf,
  roundTrips,
  until,
  utcDate,
} from './helpers.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';

const owner = ownerPool();
let tenant: CreatedTenant;
let unit: string;
let other: string;

const put = (targets: unknown[], key = tenant.apiKey.secret) => api('/v1/targets', { method: 'PUT', key, json: { targets } });
const month = (offset: number) => monthStart(offset).slice(0, 7);
/** `satisfied` of `n` ratings with overall ≥ 4 in the month `offset` months from this one, at `unitId`. */
const ratings = (unitId: string, offset: number, n: number, satisfied: number) =>
  Array.from({ length: n }, (_, i) => externalRating(unitId, { occurredAt: `${dayOfMonth(offset, 10)}T12:00:00Z`, overall: i < satisfied ? 5 : 2, effort: i < satisfied ? 2 : 6 }));

interface Road {
  measure: string;
  unitId: string | null;
  target: number;
  baseline: { value: number; from: string; to: string } | null;
  deadline: string | null;
  current: { value: number; from: string; to: string } | null;
  currentReason: string | null;
  reached: boolean | null;
  travelled: number | null;
  left: number | null;
  share: number | null;
  pace: { status: string; method: string | null; points: number; perMonth: number | null; projected: number | null };
}

beforeAll(async () => {
  tenant = await createTenant({ name: 'Road' });
  unit = (await createUnit(tenant.apiKey.secret, { name: 'Branch' })).id;
  other = (await createUnit(tenant.apiKey.secret, { name: 'Other branch' })).id;
  // CSAT rises month by month at the tenant: 50% three months ago, 60%, 70% last month; the branch alone 50% → 90%.
  await createExternalRatings(tenant.apiKey.secret, [
    ...ratings(unit, -3, 10, 5),
    ...ratings(unit, -2, 10, 7),
    ...ratings(unit, -1, 10, 9),
    ...ratings(other, -2, 10, 5),
    ...ratings(other, -1, 10, 5),
  ]);
});

describe('setting targets with a baseline, a deadline and a unit', () => {
  test('a baseline period is the measure’s value in that whole month of the scope, kept with the target', async () => {
    const deadline = utcDate(120);
    const response = await put([
      { measure: 'csat', target: 0.9, baseline: { period: month(-3) }, deadline },
      { measure: 'csat', unitId: unit, target: 0.95, baseline: { period: month(-3) } },
    ]);
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Road[] };
    expect(data).toEqual([
      expect.objectContaining({ measure: 'csat', unitId: null, target: 0.9, baseline: { value: 0.5, from: monthStart(-3), to: monthStart(-2) }, deadline }),
      expect.objectContaining({ measure: 'csat', unitId: unit, target: 0.95, baseline: { value: 0.5, from: monthStart(-3), to: monthStart(-2) }, deadline: null }),
    ]);
  });

  test('`latest` takes the last ended month; a quarter is taken whole; absent keeps, null clears', async () => {
    let data = ((await (await put([{ measure: 'overall', target: 4.5, baseline: 'latest' }, { measure: 'quantity', target: 4.5 }])).json()) as { data: Road[] }).data;
    // Last month: the branch's 9 of 10 at 5 and 1 at 2, the other branch's 5 and 5 → (9·5 + 2 + 5·5 + 5·2) / 20.
    expect(data.find((t) => t.measure === 'overall')).toMatchObject({ baseline: { value: 4.1, from: monthStart(-1), to: monthStart(0) } });
    expect(data.find((t) => t.measure === 'quantity')).toMatchObject({ baseline: null, deadline: null });
    const quarter = `${monthStart(-3).slice(0, 4)}-Q${Math.floor(Number(monthStart(-3).slice(5, 7)) / 3 - 0.01) + 1}`;
    const whole = await put([{ measure: 'overall', target: 4.5, baseline: { period: quarter } }]);
    // The quarter holding three months ago may not have ended yet; either way the answer says so.
    expect([200, 422]).toContain(whole.status);
    data = ((await (await put([{ measure: 'csat', target: 0.92 }])).json()) as { data: Road[] }).data;
    expect(data.find((t) => t.measure === 'csat' && t.unitId === null)).toMatchObject({ target: 0.92, baseline: { value: 0.5 } });
    data = ((await (await put([{ measure: 'overall', target: 4.5, baseline: null, deadline: null }])).json()) as { data: Road[] }).data;
    expect(data.find((t) => t.measure === 'overall')).toMatchObject({ baseline: null, deadline: null });
  });

  test('a tenant-wide and a unit target of one measure are two targets; null removes only the one named', async () => {
    await put([{ measure: 'quality', target: 4.5 }, { measure: 'quality', unitId: other, target: 4.2 }]);
    const data = ((await (await put([{ measure: 'quality', unitId: other, target: null }])).json()) as { data: Road[] }).data;
    expect(data.filter((t) => t.measure === 'quality').map((t) => [t.unitId, t.target])).toEqual([[null, 4.5]]);
  });

  test("another tenant's unit is a 404, with or without a baseline; nothing is set", async () => {
    const stranger = await createTenant();
    const theirs = (await createUnit(stranger.apiKey.secret)).id;
    for (const item of [{ measure: 'csat', unitId: theirs, target: 0.8 }, { measure: 'csat', unitId: theirs, target: 0.8, baseline: 'latest' }]) {
      const response = await put([item]);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await problemOf(response)).detail).toContain(theirs);
    }
    const { data } = (await (await api('/v1/targets', { key: tenant.apiKey.secret })).json()) as { data: Road[] };
    expect(data.some((t) => t.unitId === theirs)).toBe(false);
  });

  test.each([
    ['a deadline today', { measure: 'csat', target: 0.8, deadline: utcDate(0) }, '/targets/0/deadline', 'after today'],
    ['a deadline in the past', { measure: 'csat', target: 0.8, deadline: '2020-01-01' }, '/targets/0/deadline', 'after today'],
    ['a deadline that is no date', { measure: 'csat', target: 0.8, deadline: '31/03/2027' }, '/targets/0/deadline', ''],
    ['a period that has not ended', { measure: 'csat', target: 0.8, baseline: { period: month(0) } }, '/targets/0/baseline', 'has not ended'],
    ['a period that is neither month nor quarter', { measure: 'csat', target: 0.8, baseline: { period: '2026-W05' } }, '/targets/0/baseline', ''],
    ['a month without ratings', { measure: 'csat', target: 0.8, baseline: { period: month(-8) } }, '/targets/0/baseline', 'has no ratings'],
    ['a unit month without ratings', { measure: 'csat', unitId: 'UNIT', target: 0.8, baseline: { period: month(-3) } }, '/targets/0/baseline', 'has no ratings'],
    ['a target out of the measure’s range', { measure: 'effort', target: 8, baseline: 'latest' }, '/targets/0/target', 'between 1 and 7'],
  ])('refuses %s with a 4xx problem naming the field', async (_, item, pointer, words) => {
    const response = await put([JSON.parse(JSON.stringify(item).replace('UNIT', other))]);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await problemOf(response);
    expect(problem.errors!.map((e) => e.pointer).some((p) => p.startsWith(pointer))).toBe(true);
    expect(problem.errors!.map((e) => e.detail).join(' ')).toContain(words);
  });

  test('an internal baseline comes only from a published figure: too few respondents is a 422 saying so', async () => {
    const small = await createTenant({ name: 'Small' });
    const team = (await createUnit(small.apiKey.secret)).id;
    await seedInternalRatings(owner, small.tenant.id, Array.from({ length: 3 }, () => internalRating(team, { occurredOn: dayOfMonth(-1, 5) })));
    const response = await put([{ measure: 'supportIndex', target: 4, baseline: 'latest' }], small.apiKey.secret);
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors![0]!.detail).toContain('fewer than 5 respondents');
  });

  test('without a baseline one round trip, as before; with one, two (its value is read first)', async () => {
    let before = await roundTrips();
    expect((await put([{ measure: 'cost', target: 4 }])).status).toBe(200);
    expect((await roundTrips()) - before).toBe(1);
    before = await roundTrips();
    expect((await put([{ measure: 'csat', target: 0.92, baseline: { period: month(-3) } }])).status).toBe(200);
    expect((await roundTrips()) - before).toBe(2);
  });

  test('the change is audited with its baseline, deadline and unit', async () => {
    const { rows } = await owner.query("select details from audit_events where tenant_id = $1 and action = 'targets.updated' order by occurred_at", [tenant.tenant.id]);
    expect(rows[0].details.changes).toEqual([
      { measure: 'csat', unitId: null, target: 0.9, baseline: { value: 0.5, from: monthStart(-3), to: monthStart(-2) }, deadline: expect.any(String) },
      { measure: 'csat', unitId: unit, target: 0.95, baseline: { value: 0.5, from: monthStart(-3), to: monthStart(-2) } },
    ]);
  });
});

describe('the scorecard shows the road', () => {
  const scorecard = async (query: string) => {
    const response = await api(`/v1/scorecard?interval=month&from=${monthStart(-3)}&to=${monthStart(0)}${query}`, { key: tenant.apiKey.secret });
    expect(response.status).toBe(200);
    return ((await response.json()) as { targets: Road[] }).targets;
  };

  test('baseline → current → target, share travelled, road left and the pace by the deadline', async () => {
    const deadline = utcDate(200);
    await put([{ measure: 'csat', target: 0.9, baseline: { period: month(-3) }, deadline }]);
    const road = (await scorecard('')).find((t) => t.measure === 'csat')!;
    // Tenant: 50% (branch only) → 60% (12 of 20) → 70% (14 of 20).
    expect(road.baseline!.value).toBe(0.5);
    expect(road.current).toEqual({ value: 0.7, from: monthStart(-1), to: monthStart(0) });
    expect(road.travelled).toBeCloseTo(0.2, 10);
    expect(road.left).toBeCloseTo(0.2, 10);
    expect(road.share).toBeCloseTo(0.5, 10);
    expect(road.reached).toBe(false);
    // +10 points a month: the regression through three months reaches 90% well before 200 days.
    expect(road.pace).toMatchObject({ status: 'on-pace', method: 'regression', points: 3, projected: 1 });
    expect(road.pace.perMonth).toBeGreaterThan(0.09);
  });

  test('the pace depends only on the target: scorecards of other windows and intervals read the same pace, in one round trip', async () => {
    const read = async (query: string) => {
      const response = await api(`/v1/scorecard?${query}`, { key: tenant.apiKey.secret });
      expect(response.status).toBe(200);
      return ((await response.json()) as { targets: Road[] }).targets.find((t) => t.measure === 'csat')!.pace;
    };
    await put([{ measure: 'csat', target: 0.9, baseline: { period: month(-3) }, deadline: utcDate(200) }]);
    const before = await roundTrips();
    const threeMonths = await read(`interval=month&from=${monthStart(-3)}&to=${monthStart(0)}`);
    expect((await roundTrips()) - before).toBe(1);
    // Baseline three months ago, then the two ended months since: 60% and 70%.
    expect(threeMonths).toMatchObject({ method: 'regression', points: 3 });
    for (const query of [`interval=month&from=${monthStart(-1)}&to=${monthStart(0)}`, `interval=month&from=${monthStart(-6)}&to=${monthStart(-2)}`, 'interval=quarter', 'interval=rolling12', 'interval=week']) {
      expect(await read(query), query).toEqual(threeMonths);
    }
  });

  test("a unit's scorecard shows the unit's own targets, and its figures carry the unit's target", async () => {
    const response = await api(`/v1/scorecard?interval=month&from=${monthStart(-3)}&to=${monthStart(0)}&unitId=${unit}`, { key: tenant.apiKey.secret });
    const body = (await response.json()) as { targets: Road[]; periods: { external: { csat: { target: number } } }[] };
    expect(body.targets.map((t) => [t.measure, t.unitId])).toEqual([['csat', unit]]);
    expect(body.targets[0]).toMatchObject({ current: { value: 0.9 }, reached: false, share: expect.closeTo(0.4 / 0.45, 10) });
    expect(body.periods.at(-1)!.external.csat.target).toBe(0.95);
    // The other unit has none of its own: no road, and the tenant's target in its figures.
    expect(await scorecard(`&unitId=${other}`)).toEqual([]);
  });

  test('lower is better: effort that falls is progress', async () => {
    await put([{ measure: 'effort', target: 2, baseline: { period: month(-3) }, deadline: utcDate(90) }]);
    const road = (await scorecard('')).find((t) => t.measure === 'effort')!;
    // Baseline: 5 at 2 and 5 at 6 → 4; last month: 14 at 2, 6 at 6 → 3.2.
    expect(road.baseline!.value).toBe(4);
    expect(road.current!.value).toBeCloseTo(3.2, 10);
    expect(road.travelled).toBeCloseTo(-0.8, 10);
    expect(road.share).toBeCloseTo(0.4, 10);
    expect(road.left).toBeCloseTo(1.2, 10);
  });

  test('an internal target whose current value is withheld reads null with the reason', async () => {
    await seedInternalRatings(owner, tenant.tenant.id, Array.from({ length: 3 }, () => internalRating(unit, { occurredOn: dayOfMonth(-1, 5) })));
    await put([{ measure: 'willingness', target: 4.5 }]);
    const road = (await scorecard('')).find((t) => t.measure === 'willingness')!;
    expect(road).toMatchObject({ current: null, currentReason: 'too-few-respondents', share: null, reached: null, left: null });
  });
});

test("the daily crossing evaluation judges the tenant-wide target on the tenant, a unit's on the unit's external ratings, and no unit's internal one", async () => {
  const crossing = await createTenant({ name: 'Road crossings' });
  const key = crossing.apiKey.secret;
  const branch = (await createUnit(key)).id;
  const elsewhere = (await createUnit(key)).id;
  await createExternalRatings(key, [
    ...Array.from({ length: 10 }, (_, i) => externalRating(branch, { overall: i < 5 ? 4 : 2 })),
    ...Array.from({ length: 10 }, () => externalRating(elsewhere, { overall: 5 })),
  ]);
  const targets = [
    { measure: 'csat', target: 0.9 },
    { measure: 'csat', unitId: branch, target: 0.4 },
    { measure: 'willingness', unitId: branch, target: 3 },
  ];
  expect((await put(targets, key)).status).toBe(200);
  const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}&time=${Date.now()}`);
  expect(response.status).toBe(200);
  const rows = async () =>
    (await owner.query('select unit_id, measure, last_side, last_value, evaluated_at from targets where tenant_id = $1 order by unit_id nulls first, measure', [crossing.tenant.id])).rows;
  await until(async () => ((await rows())[0]?.evaluated_at ? true : undefined), 'the evaluation', 60_000);
  const [tenantWide, unitCsat, unitWillingness] = await rows();
  // The tenant: 15 of 20 satisfied; the branch: 5 of 10.
  expect(tenantWide).toMatchObject({ unit_id: null, last_side: 'unmet', last_value: 0.75 });
  expect(unitCsat).toMatchObject({ unit_id: branch, measure: 'csat', last_side: 'met', last_value: 0.5 });
  expect(unitWillingness).toMatchObject({ unit_id: branch, measure: 'willingness', last_side: null, evaluated_at: null });
}, 90_000);
