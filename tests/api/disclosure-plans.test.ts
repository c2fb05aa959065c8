/**
 * The disclosure plan is kept between reads (issue 14: it used to be walked from every atom on every
 * read): a read costs one round trip while the stored plan is current, and a change to what the plan
 * reads — a closed month's ratings, the unit tree — makes the next read plan afresh, with the same
 * answers a fresh plan gives.
 */
import { describe, expect, test } from 'vitest';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import { api, createTenant, createUnit, internalRating, ownerPool, roundTrips } from './helpers.ts';

const owner = ownerPool();

async function read(key: string, query: string): Promise<{ trips: number; body: any }> {
  const before = await roundTrips();
  const response = await api(`/v1/scorecard?${query}`, { key });
  const body = await response.json();
  expect(response.status).toBe(200);
  return { trips: (await roundTrips()) - before, body };
}

describe('stored disclosure plans', () => {
  test('planned once, then read in one round trip; a closed month or a tree change plans again', async () => {
    const { tenant, apiKey } = await createTenant();
    const parent = await createUnit(apiKey.secret, { name: 'Parent' });
    const child = await createUnit(apiKey.secret, { name: 'Child', parentId: parent.id });
    const answer = (unitId: string, offset: number, count: number) =>
      seedInternalRatings(owner, tenant.id, Array.from({ length: count }, () => internalRating(unitId, { occurredOn: dayOfMonth(offset, 9) })));
    await answer(parent.id, -1, 1);
    await answer(child.id, -1, 6);
    const query = `interval=month&from=${monthStart(-2)}&to=${monthStart(0)}&unitId=${child.id}`;

    const first = await read(apiKey.secret, query);
    // The tenant (7) is published first, so the child (6) would isolate the parent's one respondent.
    expect(first.body.periods[1].internal.respondents).toEqual({ suppressed: true, reason: 'complementary' });
    const second = await read(apiKey.secret, query);
    // What any read costs (tests/api/round-trips.test.ts); planning adds two: the atoms, the stored plan.
    const plain = second.trips;
    expect(plain).toBe(1);
    expect(first.trips).toBe(plain + 2);
    expect(second.body).toEqual(first.body);
    const tenantWide = await read(apiKey.secret, `interval=month&from=${monthStart(-2)}&to=${monthStart(0)}`);
    expect(tenantWide.trips).toBe(plain);
    expect(tenantWide.body.periods[1].internal.respondents).toBe(7);

    // A closed month changes (as the pool loader writes): planned again, and the answer follows.
    await answer(parent.id, -1, 5);
    const after = await read(apiKey.secret, query);
    expect(after.trips).toBe(plain + 2);
    expect(after.body.periods[1].internal.respondents).toBe(6);
    expect((await read(apiKey.secret, query)).trips).toBe(plain);

    // Ratings of the current month change no decision: the plan stays.
    const now = await api('/v1/internal-ratings', { method: 'POST', key: apiKey.secret, json: internalRating(child.id) });
    expect([201, 403]).toContain(now.status);
    expect((await read(apiKey.secret, query)).trips).toBe(plain);

    // The tree changes: planned again.
    const moved = await api(`/v1/units/${child.id}`, { method: 'PATCH', key: apiKey.secret, json: { parentId: null } });
    expect(moved.status).toBe(200);
    expect((await read(apiKey.secret, query)).trips).toBe(plain + 2);
    expect((await read(apiKey.secret, query)).trips).toBe(plain);
  });

  test('a tenant with no closed internal data never plans', async () => {
    const { tenant, apiKey } = await createTenant();
    const unit = await createUnit(apiKey.secret);
    const q = `interval=month&from=${monthStart(-2)}&to=${monthStart(0)}&unitId=${unit.id}`;
    const { trips, body } = await read(apiKey.secret, q);
    expect(trips).toBe((await read(apiKey.secret, q)).trips);
    expect(body.periods[1].internal.respondents).toBe(0);
    const { rows } = await owner.query('select plan from disclosure_plans where tenant_id = $1', [tenant.id]);
    expect(rows).toEqual([{ plan: null }]);
  });

  test('a plan kept in the shape before plans were deflated is planned again, not misread', async () => {
    const { tenant, apiKey } = await createTenant();
    const parent = await createUnit(apiKey.secret, { name: 'Parent' });
    const child = await createUnit(apiKey.secret, { name: 'Child', parentId: parent.id });
    await seedInternalRatings(owner, tenant.id, [
      internalRating(parent.id, { occurredOn: dayOfMonth(-1, 9) }),
      ...Array.from({ length: 6 }, () => internalRating(child.id, { occurredOn: dayOfMonth(-1, 9) })),
    ]);
    const query = `interval=month&from=${monthStart(-2)}&to=${monthStart(0)}&unitId=${child.id}`;
    const planned = await read(apiKey.secret, query);
    // The old shape, current by month and version, saying (wrongly, now) that everything is published.
    await owner.query(`update disclosure_plans set plan = '{"units": [], "periods": {}}'::jsonb where tenant_id = $1`, [tenant.id]);
    const again = await read(apiKey.secret, query);
    expect(again.trips).toBe((await read(apiKey.secret, query)).trips + 2);
    expect(again.body).toEqual(planned.body);
    expect(again.body.periods[1].internal.respondents).toEqual({ suppressed: true, reason: 'complementary' });
    const { rows } = await owner.query<{ plan: object }>('select plan from disclosure_plans where tenant_id = $1', [tenant.id]);
    expect(Object.keys(rows[0]!.plan)).toEqual(['deflated']);
  });
});
