import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createTenant,
  createUnit,
  issueApiKey,
  listAll,
  ownerPool,
  problemOf,
  roundTrips,
  type Unit,
} from './helpers.ts';

const owner = ownerPool();

/** Ratings written straight to the database, as the table owner: the ratings API is not under test here. */
const RATINGS = {
  external: (tenantId: string, unitId: string) =>
    owner.query(
      `insert into external_ratings (id, tenant_id, unit_id, occurred_at, overall, quality, customer_kind, channel)
       values (gen_random_uuid(), $1, $2, now(), 4, 5, 'recurring', 'phone')`,
      [tenantId, unitId],
    ),
  internal: (tenantId: string, unitId: string) =>
    owner.query(
      `insert into internal_ratings (id, tenant_id, unit_id, occurred_on, commitments, internal_culture, empowerment,
         recognition, leadership_support, knowledge, ability, willingness, tenure_band, role)
       values (gen_random_uuid(), $1, $2, current_date, 3, 3, 3, 3, 3, 4, 4, 5, 'new', 'frontline')`,
      [tenantId, unitId],
    ),
};

/** The response and the database round trips it cost. */
async function withTrips(request: () => Promise<Response>): Promise<{ response: Response; trips: number }> {
  const before = await roundTrips();
  const response = await request();
  // Counted once the body is read, which the clone's tee buffers for the caller.
  await response.clone().arrayBuffer();
  return { response, trips: (await roundTrips()) - before };
}

const get = (key: string, id: string) => api(`/v1/units/${id}`, { key });
const patch = (key: string, id: string, json: unknown) => api(`/v1/units/${id}`, { method: 'PATCH', key, json });
const remove = (key: string, id: string) => api(`/v1/units/${id}`, { method: 'DELETE', key });
const post = (key: string, json: unknown) => api('/v1/units', { method: 'POST', key, json });

async function pointers(response: Response, status: number): Promise<string[]> {
  expect(response.status).toBe(status);
  return ((await problemOf(response)).errors ?? []).map((error) => error.pointer);
}

let tenant: CreatedTenant;
let admin: string;
let other: CreatedTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant({ name: 'Units' }), createTenant({ name: 'Other' })]);
  admin = tenant.apiKey.secret;
});

describe('POST /v1/units', () => {
  test('creates a unit in one batch after the key lookup', async () => {
    const body = { name: '  Madrid branch ', kind: 'touchpoint', externalRef: 'crm:branch/0042' };
    const { response, trips } = await withTrips(() => post(admin, body));
    expect(response.status).toBe(201);
    expect(trips).toBeLessThanOrEqual(2);
    const unit = (await response.json()) as Unit;
    expect(response.headers.get('location')).toBe(`/v1/units/${unit.id}`);
    expect(unit).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Madrid branch',
      kind: 'touchpoint',
      parentId: null,
      externalRef: 'crm:branch/0042',
      archived: false,
      archivedAt: null,
      createdAt: expect.any(String),
      updatedAt: unit.createdAt,
    });
    expect(await (await get(admin, unit.id)).json()).toEqual(unit);
  });

  test('takes a parent of the same tenant', async () => {
    const parent = await createUnit(admin, { kind: 'internal-supplier' });
    const child = await createUnit(admin, { parentId: parent.id });
    expect(child.parentId).toBe(parent.id);
  });

  test('refuses invalid fields, each at its pointer', async () => {
    expect(await pointers(await post(admin, {}), 422)).toEqual(['/name', '/kind']);
    const bad = await post(admin, { name: '   ', kind: 'branch', parentId: 'nope', externalRef: 'has space', colour: 'red' });
    expect((await pointers(bad, 422)).sort()).toEqual(['/colour', '/externalRef', '/kind', '/name', '/parentId']);
    expect(await pointers(await post(admin, { name: 'x'.repeat(201), kind: 'touchpoint' }), 422)).toEqual(['/name']);
    for (const externalRef of ['r'.repeat(101), '', 'a,b', 'ünïcode']) {
      expect(await pointers(await post(admin, { name: 'x', kind: 'touchpoint', externalRef }), 422)).toEqual(['/externalRef']);
    }
  });

  test("refuses an unknown parent and another tenant's unit as parent: 422 at /parentId, nothing written", async () => {
    const foreign = await createUnit(other.apiKey.secret);
    for (const parentId of [foreign.id, '01890a5d-ac96-774b-bcce-b302099a8057']) {
      const response = await post(admin, { name: 'Orphan', kind: 'touchpoint', parentId, externalRef: `orphan-${parentId}` });
      expect(response.status).toBe(422);
      const problem = await problemOf(response);
      expect(problem.errors).toEqual([{ location: 'body', pointer: '/parentId', detail: `There is no unit ${parentId}` }]);
      expect(await listAll(`/v1/units?externalRef=orphan-${parentId}`, admin)).toEqual([]);
    }
  });

  test('refuses an externalRef the tenant already uses (409), not one another tenant uses', async () => {
    await createUnit(admin, { externalRef: 'pos-7' });
    const response = await post(admin, { name: 'Twin', kind: 'touchpoint', externalRef: 'pos-7' });
    expect(response.status).toBe(409);
    expect((await problemOf(response)).detail).toContain("'pos-7'");
    expect((await createUnit(other.apiKey.secret, { externalRef: 'pos-7' })).externalRef).toBe('pos-7');
  });

  test('needs the admin scope', async () => {
    const reader = await issueApiKey(admin, { scopes: ['ratings:read'] });
    expect((await post(reader.secret, { name: 'x', kind: 'touchpoint' })).status).toBe(403);
  });
});

describe('GET /v1/units', () => {
  let fresh: CreatedTenant;
  let units: Unit[];

  beforeAll(async () => {
    fresh = await createTenant();
    const key = fresh.apiKey.secret;
    const root = await createUnit(key, { name: 'Head office', kind: 'internal-supplier', externalRef: 'hq' });
    const a = await createUnit(key, { name: 'Branch A', parentId: root.id, externalRef: 'a' });
    const b = await createUnit(key, { name: 'Branch B', parentId: root.id });
    const it = await createUnit(key, { name: 'IT', kind: 'internal-supplier' });
    const closed = await createUnit(key, { name: 'Closed branch', parentId: root.id });
    expect((await patch(key, closed.id, { archived: true })).status).toBe(200);
    units = [root, a, b, it, closed];
  });

  const names = async (query: string, key = fresh.apiKey.secret) =>
    (await listAll<Unit>(`/v1/units${query}`, key, 2)).map((unit) => unit.name);

  test('pages through active units, newest first', async () => {
    const page = await api('/v1/units?limit=2', { key: fresh.apiKey.secret });
    const body = (await page.json()) as { data: Unit[]; nextCursor: string | null };
    expect(body.data.map((unit) => unit.name)).toEqual(['IT', 'Branch B']);
    expect(body.nextCursor).toEqual(expect.any(String));
    expect(await names('')).toEqual(['IT', 'Branch B', 'Branch A', 'Head office']);
  });

  test('filters by kind, parent, externalRef and archived', async () => {
    const [root] = units;
    expect(await names('?kind=internal-supplier')).toEqual(['IT', 'Head office']);
    expect(await names(`?parentId=${root!.id}`)).toEqual(['Branch B', 'Branch A']);
    expect(await names('?externalRef=a')).toEqual(['Branch A']);
    expect(await names('?externalRef=A')).toEqual([]);
    expect(await names('?archived=true')).toEqual(['Closed branch']);
    expect(await names(`?archived=false&parentId=${root!.id}&kind=touchpoint`)).toEqual(['Branch B', 'Branch A']);
  });

  test('shows only the caller’s units', async () => {
    expect(await names('', other.apiKey.secret)).not.toContain('Head office');
  });

  test('refuses bad query parameters with 400 at their pointers', async () => {
    for (const [query, pointer] of [
      ['archived=yes', '/archived'],
      ['kind=branch', '/kind'],
      ['parentId=nope', '/parentId'],
      ['cursor=bogus', '/cursor'],
    ]) {
      expect(await pointers(await api(`/v1/units?${query}`, { key: fresh.apiKey.secret }), 400)).toEqual([pointer]);
    }
  });

  test('needs ratings:read: partners that send ratings read units to map them; ratings:write alone is refused', async () => {
    const writer = await issueApiKey(fresh.apiKey.secret, { scopes: ['ratings:write'] });
    const reader = await issueApiKey(fresh.apiKey.secret, { scopes: ['ratings:read'] });
    for (const path of ['/v1/units', `/v1/units/${units[0]!.id}`]) {
      const refused = await api(path, { key: writer.secret });
      expect(refused.status).toBe(403);
      expect((await problemOf(refused)).detail).toContain("'ratings:read'");
      expect((await api(path, { key: reader.secret })).status).toBe(200);
    }
    expect((await patch(reader.secret, units[0]!.id, { name: 'x' })).status).toBe(403);
    expect((await remove(reader.secret, units[0]!.id)).status).toBe(403);
  });
});

describe('PATCH /v1/units/{id}', () => {
  test('changes the fields sent, clears with null, bumps updatedAt, in one batch after the key lookup', async () => {
    const parent = await createUnit(admin);
    const unit = await createUnit(admin, { name: 'Old', parentId: parent.id, externalRef: 'old-ref' });
    const changes = { name: ' New ', kind: 'internal-supplier', parentId: null, externalRef: null };
    const { response, trips } = await withTrips(() => patch(admin, unit.id, changes));
    expect(response.status).toBe(200);
    expect(trips).toBeLessThanOrEqual(2);
    const updated = (await response.json()) as Unit;
    expect(updated).toEqual({
      ...unit,
      name: 'New',
      kind: 'internal-supplier',
      parentId: null,
      externalRef: null,
      updatedAt: expect.any(String),
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(unit.updatedAt));
    expect(await (await get(admin, unit.id)).json()).toEqual(updated);
    // The cleared reference is free again.
    await createUnit(admin, { externalRef: 'old-ref' });
  });

  test('moves a unit under another one, in one batch after the key lookup', async () => {
    const [a, b] = [await createUnit(admin), await createUnit(admin)];
    const { response, trips } = await withTrips(() => patch(admin, b.id, { parentId: a.id }));
    expect(response.status).toBe(200);
    expect(trips).toBeLessThanOrEqual(2);
    expect(((await response.json()) as Unit).parentId).toBe(a.id);
  });

  test('refuses to make a unit its own ancestor: itself, its child, its grandchild', async () => {
    const a = await createUnit(admin, { name: 'A' });
    const b = await createUnit(admin, { name: 'B', parentId: a.id });
    const c = await createUnit(admin, { name: 'C', parentId: b.id });
    for (const parentId of [a.id, b.id, c.id]) {
      const response = await patch(admin, a.id, { name: 'Renamed', parentId });
      expect(response.status).toBe(422);
      const [error] = (await problemOf(response)).errors!;
      expect(error).toEqual({ location: 'body', pointer: '/parentId', detail: expect.stringContaining(parentId) });
    }
    expect(await (await get(admin, a.id)).json()).toEqual(a);
    // Moving within the tree without closing a loop is fine.
    expect((await patch(admin, c.id, { parentId: a.id })).status).toBe(200);
  });

  test('two units moved under each other at once: one move wins, the other would close a loop', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await createUnit(admin), await createUnit(admin)];
      const responses = await Promise.all([patch(admin, a.id, { parentId: b.id }), patch(admin, b.id, { parentId: a.id })]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 422]);
    }
  });

  test("refuses another tenant's unit as parent (422) and a taken externalRef (409)", async () => {
    const unit = await createUnit(admin);
    const foreign = await createUnit(other.apiKey.secret);
    expect(await pointers(await patch(admin, unit.id, { parentId: foreign.id }), 422)).toEqual(['/parentId']);
    await createUnit(admin, { externalRef: 'taken' });
    const conflict = await patch(admin, unit.id, { externalRef: 'taken' });
    expect(conflict.status).toBe(409);
    expect((await problemOf(conflict)).detail).toContain("'taken'");
    expect(await (await get(admin, unit.id)).json()).toEqual(unit);
  });

  test('refuses an empty or invalid body', async () => {
    const unit = await createUnit(admin);
    expect(await pointers(await patch(admin, unit.id, {}), 422)).toEqual(['']);
    const invalid = await patch(admin, unit.id, { archived: 'yes', name: '', id: unit.id });
    expect((await pointers(invalid, 422)).sort()).toEqual(['/archived', '/id', '/name']);
  });

  test('archives and restores; archiving twice keeps the first archivedAt', async () => {
    const unit = await createUnit(admin);
    const archived = (await (await patch(admin, unit.id, { archived: true })).json()) as Unit;
    expect(archived).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    expect(Date.parse(archived.updatedAt)).toBeGreaterThan(Date.parse(unit.updatedAt));
    const again = (await (await patch(admin, unit.id, { archived: true, name: 'Still archived' })).json()) as Unit;
    expect(again).toMatchObject({ archived: true, archivedAt: archived.archivedAt, name: 'Still archived' });
    const restored = (await (await patch(admin, unit.id, { archived: false })).json()) as Unit;
    expect(restored).toMatchObject({ archived: false, archivedAt: null });
  });

  test('an unknown unit is a 404', async () => {
    const response = await patch(admin, '01890a5d-ac96-774b-bcce-b302099a8057', { name: 'x' });
    expect(response.status).toBe(404);
    await problemOf(response);
  });
});

describe('DELETE /v1/units/{id}', () => {
  test('deletes a unit without ratings or children, in one batch after the key lookup', async () => {
    const unit = await createUnit(admin, { externalRef: 'short-lived' });
    const { response, trips } = await withTrips(() => remove(admin, unit.id));
    expect(response.status).toBe(204);
    expect(trips).toBeLessThanOrEqual(2);
    expect((await get(admin, unit.id)).status).toBe(404);
    expect((await remove(admin, unit.id)).status).toBe(404);
  });

  test.each(Object.keys(RATINGS) as (keyof typeof RATINGS)[])('archives a unit with %s ratings, not deletes it', async (kind) => {
    const unit = await createUnit(admin);
    await RATINGS[kind](tenant.tenant.id, unit.id);
    const { response, trips } = await withTrips(() => remove(admin, unit.id));
    expect(response.status).toBe(200);
    expect(trips).toBeLessThanOrEqual(2);
    const archived = (await response.json()) as Unit;
    expect(archived).toEqual({ ...unit, archived: true, archivedAt: expect.any(String), updatedAt: expect.any(String) });
    expect(await (await get(admin, unit.id)).json()).toEqual(archived);
    const again = await remove(admin, unit.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Unit).archivedAt).toBe(archived.archivedAt);
  });

  test('refuses a unit without ratings that has children (409, naming how many)', async () => {
    const parent = await createUnit(admin);
    const children = [await createUnit(admin, { parentId: parent.id }), await createUnit(admin, { parentId: parent.id })];
    const response = await remove(admin, parent.id);
    expect(response.status).toBe(409);
    expect((await problemOf(response)).detail).toContain('2 units hang');
    expect((await get(admin, parent.id)).status).toBe(200);
    for (const child of children) expect((await remove(admin, child.id)).status).toBe(204);
    expect((await remove(admin, parent.id)).status).toBe(204);
  });
});

test("another tenant's unit is a 404 to GET, PATCH and DELETE, and stays as it was", async () => {
  const unit = await createUnit(admin);
  const intruder = other.apiKey.secret;
  const responses = [await get(intruder, unit.id), await patch(intruder, unit.id, { name: 'Mine' }), await remove(intruder, unit.id)];
  for (const response of responses) {
    expect(response.status).toBe(404);
    await problemOf(response);
  }
  expect(await (await get(admin, unit.id)).json()).toEqual(unit);
});
