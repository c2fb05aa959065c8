/**
 * The Customer Effort Score (`effort`, 1-7, optional, lower is better) end to end. It was added as one
 * entry of the measure registry (worker/domain/measure-registry.ts), one column of external_ratings and
 * the generated migration: everything below follows from those, so each test fails without the entry.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  ownerPool,
  problemOf,
  runBenchmarkJob,
} from './helpers.ts';

const owner = ownerPool();
const now = new Date();
const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);

let tenant: CreatedTenant;
let unitId: string;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Effort' });
  unitId = (await createUnit(tenant.apiKey.secret)).id;
});

const post = (json: unknown) => api('/v1/external-ratings', { method: 'POST', key: tenant.apiKey.secret, json });

describe('effort in ratings', () => {
  test('is written, answered and read back; omitted it is null', async () => {
    const created = await post(externalRating(unitId, { effort: 2 }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; effort: number | null };
    expect(body.effort).toBe(2);
    const read = await api(`/v1/external-ratings/${body.id}`, { key: tenant.apiKey.secret });
    expect(await read.json()).toMatchObject({ id: body.id, effort: 2 });
    const without = (await (await post(externalRating(unitId))).json()) as { effort: number | null };
    expect(without.effort).toBeNull();
  });

  test.each([0, 8, 2.5, '3'])('refuses effort %j with a problem naming /effort', async (effort) => {
    const response = await post(externalRating(unitId, { effort }));
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain('/effort');
  });

  test('the table checks the same bounds', async () => {
    const [{ id }] = (await owner.query('select id from external_ratings where tenant_id = $1 limit 1', [tenant.tenant.id])).rows;
    await expect(owner.query('update external_ratings set effort = 8 where id = $1', [id])).rejects.toMatchObject({ code: '23514', constraint: 'external_ratings_effort_range' });
  });

  test('is a column of the CSV export', async () => {
    const text = await (await api('/v1/external-ratings/export.csv', { key: tenant.apiKey.secret })).text();
    const [header, ...records] = text.trim().split('\r\n').map((line) => line.split(','));
    const column = header!.indexOf('effort');
    expect(column).toBeGreaterThan(-1);
    expect(records.map((record) => record[column]).sort()).toEqual(['', '2']);
  });
});

describe('effort in reports', () => {
  test('the scorecard shows it as a mean with its target and gap; a target outside 1-7 is refused', async () => {
    expect((await api('/v1/targets', { method: 'PUT', key: tenant.apiKey.secret, json: { targets: [{ measure: 'effort', target: 8 }] } })).status).toBe(422);
    const put = await api('/v1/targets', { method: 'PUT', key: tenant.apiKey.secret, json: { targets: [{ measure: 'effort', target: 3 }] } });
    expect(put.status).toBe(200);
    await createExternalRatings(tenant.apiKey.secret, [externalRating(unitId, { effort: 4 })]);
    const response = await api(`/v1/scorecard?from=${thisMonth}&to=${nextMonth}`, { key: tenant.apiKey.secret });
    expect(response.status).toBe(200);
    const { periods } = (await response.json()) as { periods: { external: Record<string, unknown> }[] };
    expect(periods.at(-1)!.external.effort).toEqual({
      value: 3,
      n: 2,
      standardError: 1,
      target: 3,
      gap: 0,
      trend: null,
      change: null,
    });
  });

  test('is benchmarked: five organizations of a region make a published cohort', async () => {
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12)).toISOString();
    const members: CreatedTenant[] = [];
    for (const effort of [1, 2, 3, 4, 5]) {
      const member = await createTenant({ name: `Effort ${effort}`, region: 'FO', industry: 'utilities', benchmarkOptIn: true });
      const unit = await createUnit(member.apiKey.secret);
      await createExternalRatings(
        member.apiKey.secret,
        Array.from({ length: 30 }, () => externalRating(unit.id, { occurredAt: lastMonth, effort })),
      );
      members.push(member);
    }
    const run = await runBenchmarkJob({ at: `${thisMonth}T00:00:00Z` });
    expect(run.status).toBe('succeeded');
    const response = await api('/v1/benchmarks?measure=effort&cohort=region&period=month', { key: members[0]!.apiKey.secret });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { distribution: { suppressed: boolean; organizations?: number }; own: { ranked: boolean; value: number } };
    expect(body.distribution).toMatchObject({ suppressed: false, organizations: 5 });
    expect(body.own).toMatchObject({ ranked: true, value: 1 });
  });
});

describe('effort in the document', () => {
  test('is a measure of the enum, a bounded field of the rating and a figure of the scorecard', async () => {
    const document = (await (await api('/openapi.json')).json()) as { components: { schemas: Record<string, any> } };
    const { schemas } = document.components;
    expect(schemas.PutTargets.properties.targets.items.properties.measure.enum).toContain('effort');
    expect(schemas.ExternalRatingInput.properties.effort).toMatchObject({ minimum: 1, maximum: 7 });
    expect(schemas.ExternalRating.properties.effort).toBeDefined();
    expect(schemas.ExternalFigures.properties.effort).toBeDefined();
  });
});
