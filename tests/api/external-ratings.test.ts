import { beforeAll, describe, expect, test } from 'vitest';
import { api, type CreatedTenant, createTenant, createUnit, ownerPool, problemOf, roundTrips } from './helpers.ts';

const owner = ownerPool();

let tenant: CreatedTenant;
let unitId: string;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Ratings' });
  unitId = (await createUnit(tenant.apiKey.secret)).id;
});

const rating = (overrides: Record<string, unknown> = {}) => ({
  unitId,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  quality: 4,
  overall: 4,
  recommend: 9,
  customerKind: 'occasional',
  channel: 'in-person',
  ...overrides,
});

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: 'POST', key: tenant.apiKey.secret, json, headers });

async function count(sql: string, params: unknown[] = [tenant.tenant.id]): Promise<number> {
  return Number((await owner.query(sql, params)).rows[0].n);
}

describe('POST /v1/external-ratings', () => {
  test('stores the rating and answers it, without the customerRef', async () => {
    const response = await post('/v1/external-ratings', rating({ customerRef: 'crm-123', comment: 'fine' }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ unitId, quality: 4, quantity: null, overall: 4, recommend: 9, hasCustomerRef: true, comment: 'fine' });
    expect(JSON.stringify(body)).not.toContain('crm-123');
    expect(response.headers.get('location')).toBe(`/v1/external-ratings/${body.id}`);
    const { rows } = await owner.query('select * from external_ratings where id = $1', [body.id]);
    expect(rows[0].customer_ref_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows[0])).not.toContain('crm-123');
  });

  test.each([
    [{ quality: undefined }, '/quality', 'At least one of'],
    [{ overall: 6 }, '/overall', ''],
    [{ recommend: 11 }, '/recommend', ''],
    [{ customerKind: 'vip' }, '/customerKind', ''],
    [{ blamesAttitude: true }, '/blamesAttitude', 'overall ≤ 3'],
    [{ occurredAt: new Date(Date.now() + 3_600_000).toISOString() }, '/occurredAt', 'future'],
    [{ occurredAt: '2020-01-01T00:00:00Z' }, '/occurredAt', '2 years'],
    [{ comment: 'x'.repeat(2001) }, '/comment', ''],
    [{ employee: 'x' }, '/employee', 'Unknown field'],
  ])('refuses %j at %s', async (overrides, pointer, words) => {
    const response = await post('/v1/external-ratings', rating(overrides));
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    const error = problem.errors!.find((e) => e.pointer === pointer);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    expect(error!.detail).toContain(words);
  });

  test("another tenant's unit is a 404 naming it, and nothing is written", async () => {
    const other = await createTenant();
    const foreignUnit = (await createUnit(other.apiKey.secret)).id;
    const before = await count('select count(*) as n from external_ratings where tenant_id = $1');
    const response = await post('/v1/external-ratings', rating({ unitId: foreignUnit }));
    expect(response.status).toBe(404);
    const problem = await problemOf(response);
    expect(problem.detail).toContain(foreignUnit);
    expect(problem.errors).toEqual([{ location: 'body', pointer: '/unitId', detail: `No such unit: ${foreignUnit}` }]);
    expect(await count('select count(*) as n from external_ratings where tenant_id = $1')).toBe(before);
  });

  test('an archived unit refuses new ratings with a 409', async () => {
    const archived = (await createUnit(tenant.apiKey.secret)).id;
    await owner.query('update units set archived_at = now() where id = $1', [archived]);
    const response = await post('/v1/external-ratings', rating({ unitId: archived }));
    expect(response.status).toBe(409);
    expect((await problemOf(response)).errors![0]!.pointer).toBe('/unitId');
  });

  test('costs one round trip: the credential check leads the batch', async () => {
    const before = await roundTrips();
    expect((await post('/v1/external-ratings', rating())).status).toBe(201);
    expect((await roundTrips()) - before).toBe(1);
  });
});

describe('POST /v1/external-ratings/batch', () => {
  test('writes every item, and the rollups, in one batch', async () => {
    const unit = (await createUnit(tenant.apiKey.secret)).id;
    const items = Array.from({ length: 1000 }, (_, i) =>
      rating({ unitId: unit, overall: (i % 5) + 1, quality: (i % 5) + 1, recommend: i % 11, customerKind: i % 2 ? 'recurring' : 'occasional' }),
    );
    const before = await roundTrips();
    const response = await post('/v1/external-ratings/batch', { items });
    expect(response.status).toBe(201);
    expect((await roundTrips()) - before).toBe(1);
    const body = (await response.json()) as { count: number; ids: string[] };
    expect(body.count).toBe(1000);
    expect(new Set(body.ids).size).toBe(1000);
    expect(await count('select count(*) as n from external_ratings where unit_id = $1', [unit])).toBe(1000);
    expect(await count('select sum(ratings) as n from external_rollups where unit_id = $1', [unit])).toBe(1000);
    expect(await count('select sum(satisfied) as n from external_rollups where unit_id = $1', [unit])).toBe(400);
  });

  test('any invalid item rejects the whole batch, listing every bad item by pointer', async () => {
    const before = await count('select count(*) as n from external_ratings where tenant_id = $1');
    const items = [rating(), rating({ overall: 0 }), rating(), rating({ channel: 'fax', quality: 9 })];
    const response = await post('/v1/external-ratings/batch', { items });
    expect(response.status).toBe(422);
    const pointers = (await problemOf(response)).errors!.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/items/1/overall', '/items/3/channel', '/items/3/quality']);
    expect(await count('select count(*) as n from external_ratings where tenant_id = $1')).toBe(before);
  });

  test('names every item that uses an unknown unit', async () => {
    const ghost = '01a209a4-ba5b-7b50-b9e2-1ae7dfb2a0fe';
    const response = await post('/v1/external-ratings/batch', { items: [rating(), rating({ unitId: ghost }), rating({ unitId: ghost })] });
    expect(response.status).toBe(404);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/items/1/unitId', '/items/2/unitId']);
  });

  test.each([
    [{ items: [] }, '/items'],
    [{ items: Array.from({ length: 1001 }, () => ({})) }, '/items'],
    [{}, '/items'],
  ])('refuses a batch of the wrong size: %#', async (body, pointer) => {
    const response = await post('/v1/external-ratings/batch', body);
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body replays the first response without writing again', async () => {
    const key = crypto.randomUUID();
    const body = rating({ comment: 'once' });
    const first = await post('/v1/external-ratings', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const second = await post('/v1/external-ratings', body, { 'Idempotency-Key': key });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(firstBody);
    expect(await count(`select count(*) as n from external_ratings where tenant_id = $1 and comment = 'once'`)).toBe(1);
  });

  test('the same key with another body is a 422', async () => {
    const key = crypto.randomUUID();
    expect((await post('/v1/external-ratings', rating(), { 'Idempotency-Key': key })).status).toBe(201);
    const response = await post('/v1/external-ratings', rating({ overall: 2 }), { 'Idempotency-Key': key });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).type).toContain('idempotency-key-reused');
  });

  test('concurrent requests with one key write once: the others replay or get a 409', async () => {
    const key = crypto.randomUUID();
    const items = Array.from({ length: 500 }, () => rating({ comment: key }));
    const responses = await Promise.all(Array.from({ length: 8 }, () => post('/v1/external-ratings/batch', { items }, { 'Idempotency-Key': key })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const response of responses.filter((r) => r.status === 409)) {
      expect((await problemOf(response)).type).toContain('idempotency-key-in-use');
    }
    expect(await count(`select count(*) as n from external_ratings where tenant_id = $1 and comment = $2`, [tenant.tenant.id, key])).toBe(500);
  });

  test('keys are per credential: another key of the same tenant may reuse the value', async () => {
    const key = crypto.randomUUID();
    const other = await api('/v1/api-keys', { method: 'POST', key: tenant.apiKey.secret, json: { name: 'second', scopes: ['ratings:write'] } });
    const secret = ((await other.json()) as { secret: string }).secret;
    expect((await post('/v1/external-ratings', rating(), { 'Idempotency-Key': key })).status).toBe(201);
    const second = await api('/v1/external-ratings', { method: 'POST', key: secret, json: rating(), headers: { 'Idempotency-Key': key } });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
  });

  test('a failed write does not use up the key', async () => {
    const key = crypto.randomUUID();
    const ghost = '01a209a4-ba5b-7b50-b9e2-1ae7dfb2a0ff';
    expect((await post('/v1/external-ratings', rating({ unitId: ghost }), { 'Idempotency-Key': key })).status).toBe(404);
    expect((await post('/v1/external-ratings', rating(), { 'Idempotency-Key': key })).status).toBe(201);
  });

  test.each(['', 'has space', 'x'.repeat(256)])('refuses a malformed key %j with a 400', async (key) => {
    const response = await post('/v1/external-ratings', rating(), { 'Idempotency-Key': key });
    expect(response.status).toBe(400);
    await problemOf(response);
  });
});
