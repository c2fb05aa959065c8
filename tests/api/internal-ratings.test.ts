import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createTenant,
  createUnit,
  internalRating,
  internalWriterKey,
  issueApiKey,
  ownerPool,
  problemOf,
  roundTrips,
  utcDate,
} from './helpers.ts';

const owner = ownerPool();

let tenant: CreatedTenant;
let unitId: string;
/** Internal ratings take a key of their own (internal-ratings:write), which admin does not imply. */
let writer: string;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Internal ratings' });
  unitId = (await createUnit(tenant.apiKey.secret, { kind: 'internal-supplier' })).id;
  writer = await internalWriterKey(tenant.apiKey.secret);
});

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: 'POST', key: writer, json, headers });

async function freshUnit(): Promise<string> {
  return (await createUnit(tenant.apiKey.secret, { kind: 'internal-supplier' })).id;
}

async function storedIn(unit: string): Promise<Record<string, unknown>[]> {
  return (await owner.query('select * from internal_ratings where unit_id = $1', [unit])).rows;
}

async function tenantCount(): Promise<number> {
  return Number((await owner.query('select count(*) as n from internal_ratings where tenant_id = $1', [tenant.tenant.id])).rows[0].n);
}

describe('POST /v1/internal-ratings', () => {
  test('stores the rating and answers a receipt without an id', async () => {
    const unit = await freshUnit();
    const response = await post('/v1/internal-ratings', internalRating(unit));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ accepted: true, occurredOn: utcDate(), unitId: unit });
    expect(response.headers.get('location')).toBeNull();
    const [row, ...others] = await storedIn(unit);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ commitments: 2, internal_culture: 3, willingness: 5, tenure_band: 'new', role: 'frontline', recommend_employer: 7 });
    const rollup = (await owner.query('select * from internal_rollups where unit_id = $1', [unit])).rows;
    expect(rollup).toMatchObject([{ respondents: 1, willingness_sum: 5, support_total_sum: 11, willingness_favourable: 1 }]);
  });

  test('keeps the day and nothing finer, under a random (v4) id', async () => {
    const unit = await freshUnit();
    expect((await post('/v1/internal-ratings/batch', { items: Array.from({ length: 20 }, () => internalRating(unit)) })).status).toBe(201);
    const { rows } = await owner.query(
      `select id::text, occurred_on::text as day from internal_ratings where unit_id = $1`,
      [unit],
    );
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row.day).toBe(utcDate());
      // Version 4, not 7: a time-ordered id would carry the millisecond the answer arrived.
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const prefixes = new Set(rows.map((row) => row.id.slice(0, 8)));
    expect(prefixes.size).toBeGreaterThan(15);
    const columns = (
      await owner.query(`select column_name, data_type from information_schema.columns where table_name = 'internal_ratings'`)
    ).rows.map((c) => `${c.column_name}:${c.data_type}`);
    expect(columns.filter((c) => /time/.test(c))).toEqual([]);
    expect(columns).toContain('occurred_on:date');
  });

  test.each([
    [{ commitments: 0 }, '/commitments', ''],
    [{ willingness: 6 }, '/willingness', ''],
    [{ empowerment: 2.5 }, '/empowerment', ''],
    [{ ability: undefined }, '/ability', 'Required'],
    [{ tenureBand: 'veteran' }, '/tenureBand', ''],
    [{ role: 'boss' }, '/role', ''],
    [{ recommendEmployer: 11 }, '/recommendEmployer', ''],
    [{ unitId: 'branch-7' }, '/unitId', ''],
    [{ occurredOn: '2026-11-23T10:15:00Z' }, '/occurredOn', ''],
    [{ occurredOn: utcDate(3) }, '/occurredOn', 'tomorrow'],
    // A month's internal figures are published, and frozen, once it has ended.
    [{ occurredOn: '2020-01-01' }, '/occurredOn', 'current month'],
    [{ comment: 'x' }, '/comment', 'Unknown field'],
  ])('refuses %j at %s', async (overrides, pointer, words) => {
    const before = await tenantCount();
    const response = await post('/v1/internal-ratings', internalRating(unitId, overrides));
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    const error = problem.errors!.find((e) => e.pointer === pointer);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    expect(error!.detail).toContain(words);
    expect(await tenantCount()).toBe(before);
  });

  test('accepts tomorrow (time zones ahead of UTC) and no recommendEmployer', async () => {
    const response = await post('/v1/internal-ratings', internalRating(unitId, { occurredOn: utcDate(1), recommendEmployer: undefined }));
    expect(response.status).toBe(201);
  });

  test.each([
    [{ employeeId: 'E-1' }, '/employeeId'],
    [{ employee: 'Ana' }, '/employee'],
    [{ email: 'ana@example.com' }, '/email'],
    [{ name: 'Ana' }, '/name'],
    [{ userId: 7 }, '/userId'],
    [{ staffId: '7' }, '/staffId'],
    [{ personId: '7' }, '/personId'],
    [{ EMPLOYEE_ID: '7' }, '/EMPLOYEE_ID'],
    [{ respondent: { workEmail: 'x', fullName: 'Ana' } }, '/respondent/fullName'],
  ])('refuses an employee identifier %j as anonymous', async (extra, pointer) => {
    const before = await tenantCount();
    const response = await post('/v1/internal-ratings', { ...internalRating(unitId), ...extra });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.detail).toMatch(/^Internal ratings are anonymous/);
    expect(problem.errors!.map((e) => e.pointer)).toContain(pointer);
    expect(await tenantCount()).toBe(before);
  });

  test("another tenant's unit is a 404 naming it, and nothing is written", async () => {
    const other = await createTenant();
    const foreignUnit = (await createUnit(other.apiKey.secret)).id;
    const before = await tenantCount();
    const response = await post('/v1/internal-ratings', internalRating(foreignUnit));
    expect(response.status).toBe(404);
    const problem = await problemOf(response);
    expect(problem.detail).toContain(foreignUnit);
    expect(problem.errors).toEqual([{ location: 'body', pointer: '/unitId', detail: `No such unit: ${foreignUnit}` }]);
    expect(await tenantCount()).toBe(before);
  });

  test('an archived unit refuses new ratings with a 409', async () => {
    const archived = await freshUnit();
    await owner.query('update units set archived_at = now() where id = $1', [archived]);
    const response = await post('/v1/internal-ratings', internalRating(archived));
    expect(response.status).toBe(409);
    expect((await problemOf(response)).errors![0]!.pointer).toBe('/unitId');
    expect(await storedIn(archived)).toEqual([]);
  });

  test('needs the ratings:write scope', async () => {
    const reader = await issueApiKey(tenant.apiKey.secret, { scopes: ['ratings:read'] });
    const response = await api('/v1/internal-ratings', { method: 'POST', key: reader.secret, json: internalRating(unitId) });
    expect(response.status).toBe(403);
  });

  test('costs one round trip: the credential check leads the batch', async () => {
    const before = await roundTrips();
    expect((await post('/v1/internal-ratings', internalRating(unitId))).status).toBe(201);
    expect((await roundTrips()) - before).toBe(1);
  });
});

describe('POST /v1/internal-ratings/batch', () => {
  test('writes every item, and the rollups, in one round trip with the credential check', async () => {
    const unit = await freshUnit();
    const items = Array.from({ length: 1000 }, (_, i) =>
      internalRating(unit, { willingness: (i % 5) + 1, tenureBand: i % 2 ? 'established' : 'new', role: ['frontline', 'support', 'leader'][i % 3] }),
    );
    const before = await roundTrips();
    const response = await post('/v1/internal-ratings/batch', { items });
    expect(response.status).toBe(201);
    expect((await roundTrips()) - before).toBe(1);
    expect(await response.json()).toEqual({ count: 1000 });
    expect(await storedIn(unit)).toHaveLength(1000);
    const totals = (await owner.query('select sum(respondents)::int as n, sum(willingness_favourable)::int as f, count(*)::int as groups from internal_rollups where unit_id = $1', [unit])).rows[0];
    expect(totals).toEqual({ n: 1000, f: 400, groups: 6 });
  });

  test('any invalid item rejects the whole batch, listing every bad item by pointer', async () => {
    const before = await tenantCount();
    const items = [internalRating(unitId), internalRating(unitId, { role: 'ceo' }), internalRating(unitId, { knowledge: 0, recognition: 9 })];
    const response = await post('/v1/internal-ratings/batch', { items });
    expect(response.status).toBe(422);
    const pointers = (await problemOf(response)).errors!.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/items/1/role', '/items/2/knowledge', '/items/2/recognition']);
    expect(await tenantCount()).toBe(before);
  });

  test('an employee identifier in any item refuses the batch', async () => {
    const items = [internalRating(unitId), { ...internalRating(unitId), staffId: 'S-9' }];
    const response = await post('/v1/internal-ratings/batch', { items });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.detail).toContain('anonymous');
    expect(problem.errors!.map((e) => e.pointer)).toEqual(['/items/1/staffId']);
  });

  // Found by the fuzz: the identifier walk recursed once per level and overflowed the stack (500).
  test.each(['/v1/internal-ratings', '/v1/internal-ratings/batch'])('%s: a body nested 100,000 deep is a 4xx problem, not a 500', async (path) => {
    const depth = 100_000;
    const response = await api(path, {
      method: 'POST',
      key: writer,
      headers: { 'Content-Type': 'application/json' },
      body: '['.repeat(depth) + ']'.repeat(depth),
    });
    expect(response.status).toBe(422);
    await problemOf(response);
  });

  test('names every item that uses an unknown or archived unit', async () => {
    const ghost = crypto.randomUUID();
    const notFound = await post('/v1/internal-ratings/batch', { items: [internalRating(unitId), internalRating(ghost), internalRating(ghost)] });
    expect(notFound.status).toBe(404);
    expect((await problemOf(notFound)).errors!.map((e) => e.pointer)).toEqual(['/items/1/unitId', '/items/2/unitId']);
    const archived = await freshUnit();
    await owner.query('update units set archived_at = now() where id = $1', [archived]);
    const conflict = await post('/v1/internal-ratings/batch', { items: [internalRating(archived), internalRating(unitId)] });
    expect(conflict.status).toBe(409);
    expect((await problemOf(conflict)).errors!.map((e) => e.pointer)).toEqual(['/items/0/unitId']);
  });

  test.each([
    [{ items: [] }, '/items'],
    [{ items: Array.from({ length: 1001 }, () => ({})) }, '/items'],
    [{}, '/items'],
  ])('refuses a batch of the wrong size: %#', async (body, pointer) => {
    const response = await post('/v1/internal-ratings/batch', body);
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body replays the receipt without writing again', async () => {
    const unit = await freshUnit();
    const key = crypto.randomUUID();
    const body = { items: [internalRating(unit), internalRating(unit)] };
    const first = await post('/v1/internal-ratings/batch', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const second = await post('/v1/internal-ratings/batch', body, { 'Idempotency-Key': key });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(await storedIn(unit)).toHaveLength(2);
  });

  test('the same key with another body is a 422', async () => {
    const key = crypto.randomUUID();
    expect((await post('/v1/internal-ratings', internalRating(unitId), { 'Idempotency-Key': key })).status).toBe(201);
    const response = await post('/v1/internal-ratings', internalRating(unitId, { willingness: 1 }), { 'Idempotency-Key': key });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).type).toContain('idempotency-key-reused');
  });
});

describe('individual internal ratings are never readable', () => {
  test.each([
    ['GET', '/v1/internal-ratings', 405],
    ['GET', '/v1/internal-ratings/batch', 405],
    ['GET', `/v1/internal-ratings/${crypto.randomUUID()}`, 404],
    ['GET', '/v1/internal-ratings/export.csv', 404],
    ['DELETE', '/v1/internal-ratings', 405],
  ])('%s %s is a %i', async (method, path, status) => {
    const response = await api(path, { method, key: tenant.apiKey.secret });
    expect(response.status).toBe(status);
    await problemOf(response);
  });
});
