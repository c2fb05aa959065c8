import { describe, expect, test } from 'vitest';
import { api, createTenant, type IssuedApiKey, issueApiKey, listAll, ownerPool, problemOf, roundTrips } from './helpers.ts';

const owner = ownerPool();

type ApiKey = Omit<IssuedApiKey, 'secret'>;

const HOUR = 60 * 60 * 1000;

async function getKey(adminKey: string, id: string): Promise<ApiKey> {
  const response = await api(`/v1/api-keys/${id}`, { key: adminKey });
  expect(response.status).toBe(200);
  return (await response.json()) as ApiKey;
}

const revoke = (adminKey: string, id: string) => api(`/v1/api-keys/${id}`, { method: 'DELETE', key: adminKey });
const rotate = (adminKey: string, id: string, init: RequestInit & { json?: unknown } = {}) =>
  api(`/v1/api-keys/${id}/rotate`, { method: 'POST', key: adminKey, ...init });
const works = async (secret: string) => (await api('/v1/tenant', { key: secret })).status === 200;

async function auditCount(action: string, targetId: string): Promise<number> {
  const { rows } = await owner.query('select count(*)::int as n from audit_events where action = $1 and target_id = $2', [
    action,
    targetId,
  ]);
  return rows[0].n;
}

describe('POST /v1/api-keys', () => {
  test('issues a key whose secret is shown once and works at once', async () => {
    const { tenant, apiKey: admin } = await createTenant();
    const expiresAt = new Date(Date.now() + 30 * 24 * HOUR).toISOString();
    const response = await api('/v1/api-keys', {
      method: 'POST',
      key: admin.secret,
      json: { name: '  Helpdesk  ', scopes: ['ratings:write', 'ratings:read'], expiresAt },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const key = (await response.json()) as IssuedApiKey;
    expect(response.headers.get('location')).toBe(`/v1/api-keys/${key.id}`);
    expect(key).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Helpdesk',
      displayPrefix: key.secret.slice(0, 12),
      scopes: ['ratings:write', 'ratings:read'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt,
      revokedAt: null,
      rotatedFromId: null,
      secret: expect.stringMatching(/^sck_[A-Za-z0-9_-]{76}$/),
    });
    const me = await api('/v1/tenant', { key: key.secret });
    expect(((await me.json()) as { id: string }).id).toBe(tenant.id);
    const { secret: _, ...resource } = key;
    expect(await getKey(admin.secret, key.id)).toEqual({ ...resource, lastUsedAt: expect.any(String) });
  });

  test("the key has only its scopes: a key without admin cannot manage keys", async () => {
    const { apiKey: admin } = await createTenant();
    const reader = await issueApiKey(admin.secret, { scopes: ['reports:read'] });
    const response = await api('/v1/api-keys', { method: 'POST', key: reader.secret, json: { name: 'x', scopes: ['admin'] } });
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toContain("'admin'");
    expect((await api('/v1/api-keys', { key: reader.secret })).status).toBe(403);
  });

  test('an admin key with only the admin scope may issue any scope (admin implies all)', async () => {
    const { apiKey: admin } = await createTenant();
    const onlyAdmin = await issueApiKey(admin.secret, { scopes: ['admin'] });
    const key = await issueApiKey(onlyAdmin.secret, { scopes: ['ratings:write', 'reports:read'] });
    expect(key.scopes).toEqual(['ratings:write', 'reports:read']);
  });

  test('a key that expires stops working then', async () => {
    const { apiKey: admin } = await createTenant();
    const key = await issueApiKey(admin.secret, { expiresAt: new Date(Date.now() + HOUR).toISOString() });
    expect(await works(key.secret)).toBe(true);
    await owner.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [key.id]);
    const refused = await api('/v1/tenant', { key: key.secret });
    expect(refused.status).toBe(401);
    expect((await problemOf(refused)).detail).toMatch(/expired/);
  });

  test.each([
    [{ name: '', scopes: ['admin'] }, '/name'],
    [{ name: '   ', scopes: ['admin'] }, '/name'],
    [{ name: 'x'.repeat(101), scopes: ['admin'] }, '/name'],
    [{ scopes: ['admin'] }, '/name'],
    [{ name: 'k' }, '/scopes'],
    [{ name: 'k', scopes: [] }, '/scopes'],
    [{ name: 'k', scopes: ['superuser'] }, '/scopes/0'],
    [{ name: 'k', scopes: ['admin', 'admin'] }, '/scopes'],
    [{ name: 'k', scopes: ['admin'], expiresAt: '2020-01-01T00:00:00Z' }, '/expiresAt'],
    [{ name: 'k', scopes: ['admin'], expiresAt: new Date(Date.now() + 3 * 365 * 24 * HOUR).toISOString() }, '/expiresAt'],
    [{ name: 'k', scopes: ['admin'], expiresAt: 'tomorrow' }, '/expiresAt'],
    [{ name: 'k', scopes: ['admin'], secret: 'sck_mine' }, '/secret'],
  ])('refuses %j with a 422 at %s', async (body, pointer) => {
    const { apiKey: admin } = await createTenant();
    const response = await api('/v1/api-keys', { method: 'POST', key: admin.secret, json: body });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });

  test('creating a key is one batch with the key check, audited in it', async () => {
    const { apiKey: admin } = await createTenant();
    const before = await roundTrips();
    const key = await issueApiKey(admin.secret);
    expect((await roundTrips()) - before).toBe(1);
    expect(await auditCount('api_key.created', key.id)).toBe(1);
  });
});

describe('GET /v1/api-keys', () => {
  test('lists the keys newest first, page by page, without secrets or their hashes', async () => {
    const { apiKey: admin } = await createTenant();
    const issued = [await issueApiKey(admin.secret), await issueApiKey(admin.secret), await issueApiKey(admin.secret)];
    const first = await api('/v1/api-keys?limit=2', { key: admin.secret });
    expect(first.status).toBe(200);
    const text = await first.text();
    const page = JSON.parse(text) as { data: ApiKey[]; nextCursor: string | null };
    expect(page.data.map((k) => k.id)).toEqual([issued[2]!.id, issued[1]!.id]);
    expect(page.nextCursor).toEqual(expect.any(String));

    const all = await listAll<ApiKey>('/v1/api-keys', admin.secret, 2);
    expect(all.map((k) => k.id)).toEqual([...issued.map((k) => k.id).reverse(), admin.id]);
    const { rows } = await owner.query('select secret_hash from api_keys where id = any($1)', [all.map((k) => k.id)]);
    const everything = text + JSON.stringify(all);
    for (const secret of [admin.secret, ...issued.map((k) => k.secret)]) expect(everything).not.toContain(secret.slice(12));
    for (const { secret_hash } of rows) expect(everything).not.toContain(secret_hash);
    for (const key of all) expect(Object.keys(key)).not.toContain('secret');
  });

  test('a cursor this API did not issue is a 400', async () => {
    const { apiKey: admin } = await createTenant();
    const response = await api('/v1/api-keys?cursor=bogus', { key: admin.secret });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors![0]!.pointer).toBe('/cursor');
  });

  test("shows when a key was last used, which the key lookup records", async () => {
    const { apiKey: admin } = await createTenant();
    const key = await issueApiKey(admin.secret);
    expect((await getKey(admin.secret, key.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    expect(await works(key.secret)).toBe(true);
    const { lastUsedAt } = await getKey(admin.secret, key.id);
    expect(Date.parse(lastUsedAt!)).toBeGreaterThan(before - 5_000);
  });

  test("another tenant's key, an unknown id and a malformed id are all 404", async () => {
    const a = await createTenant();
    const b = await createTenant();
    for (const id of [a.apiKey.id, '00000000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const response = await api(`/v1/api-keys/${id}`, { key: b.apiKey.secret });
      expect(response.status, id).toBe(404);
      await problemOf(response);
    }
    const listed = await listAll<ApiKey>('/v1/api-keys', b.apiKey.secret);
    expect(listed.map((k) => k.id)).toEqual([b.apiKey.id]);
  });
});

describe('DELETE /v1/api-keys/{id}', () => {
  test('revokes at once: the next request with the key is 401', async () => {
    const { apiKey: admin } = await createTenant();
    const key = await issueApiKey(admin.secret);
    expect(await works(key.secret)).toBe(true);
    const response = await revoke(admin.secret, key.id);
    expect(response.status).toBe(200);
    const revoked = (await response.json()) as ApiKey;
    expect(revoked).toMatchObject({ id: key.id, revokedAt: expect.any(String) });
    const refused = await api('/v1/tenant', { key: key.secret });
    expect(refused.status).toBe(401);
    expect((await problemOf(refused)).detail).toMatch(/revoked/);
    expect(await getKey(admin.secret, key.id)).toEqual(revoked);
  });

  test('revoking twice answers the same and audits once', async () => {
    const { apiKey: admin } = await createTenant();
    const key = await issueApiKey(admin.secret);
    const first = await (await revoke(admin.secret, key.id)).json();
    const again = await revoke(admin.secret, key.id);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    expect(await auditCount('api_key.revoked', key.id)).toBe(1);
  });

  test('a caller may revoke its own key', async () => {
    const { apiKey: admin } = await createTenant();
    const response = await revoke(admin.secret, admin.id);
    expect(response.status).toBe(200);
    expect((await api('/v1/tenant', { key: admin.secret })).status).toBe(401);
  });

  test("another tenant's key is a 404 and keeps working", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const response = await revoke(b.apiKey.secret, a.apiKey.id);
    expect(response.status).toBe(404);
    await problemOf(response);
    expect(await works(a.apiKey.secret)).toBe(true);
    expect(await auditCount('api_key.revoked', a.apiKey.id)).toBe(0);
  });

  test('costs one batch, the key check in it', async () => {
    const { apiKey: admin } = await createTenant();
    const key = await issueApiKey(admin.secret);
    const before = await roundTrips();
    expect((await revoke(admin.secret, key.id)).status).toBe(200);
    expect((await roundTrips()) - before).toBe(1);
  });
});

describe('POST /v1/api-keys/{id}/rotate', () => {
  test('issues a new key like the old one; the old one lives for the default grace of 24 h', async () => {
    const { apiKey: admin } = await createTenant();
    const old = await issueApiKey(admin.secret, { name: 'Kiosk', scopes: ['ratings:write', 'ratings:read'] });
    const before = Date.now();
    const response = await rotate(admin.secret, old.id);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = (await response.json()) as IssuedApiKey;
    expect(response.headers.get('location')).toBe(`/v1/api-keys/${created.id}`);
    expect(created).toMatchObject({ name: 'Kiosk', scopes: ['ratings:write', 'ratings:read'], rotatedFromId: old.id, expiresAt: null });
    expect(created.secret).not.toBe(old.secret);
    expect(await works(created.secret)).toBe(true);
    expect(await works(old.secret)).toBe(true);

    const oldExpiry = Date.parse((await getKey(admin.secret, old.id)).expiresAt!);
    expect(oldExpiry).toBeGreaterThan(before + 24 * HOUR - 60_000);
    expect(oldExpiry).toBeLessThan(Date.now() + 24 * HOUR + 60_000);

    // The end of the grace period: the old key is refused, the new one goes on.
    await owner.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [old.id]);
    expect(await works(old.secret)).toBe(false);
    expect(await works(created.secret)).toBe(true);
  });

  test('a grace period of 0 retires the old key at once', async () => {
    const { apiKey: admin } = await createTenant();
    const old = await issueApiKey(admin.secret);
    const created = (await (await rotate(admin.secret, old.id, { json: { gracePeriodSeconds: 0 } })).json()) as IssuedApiKey;
    expect(await works(old.secret)).toBe(false);
    expect(await works(created.secret)).toBe(true);
  });

  test('a 1-second grace period: the old key works, then stops', async () => {
    const { apiKey: admin } = await createTenant();
    const old = await issueApiKey(admin.secret);
    const created = (await (await rotate(admin.secret, old.id, { json: { gracePeriodSeconds: 1 } })).json()) as IssuedApiKey;
    expect(await works(old.secret)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await works(old.secret)).toBe(false);
    expect(await works(created.secret)).toBe(true);
  });

  test('the grace period never outlives the old expiry, and the new key keeps that expiry', async () => {
    const { apiKey: admin } = await createTenant();
    const expiresAt = new Date(Date.now() + HOUR).toISOString();
    const old = await issueApiKey(admin.secret, { expiresAt });
    const created = (await (await rotate(admin.secret, old.id, { json: {} })).json()) as IssuedApiKey;
    expect(created.expiresAt).toBe(expiresAt);
    expect((await getKey(admin.secret, old.id)).expiresAt).toBe(expiresAt);
  });

  test('the body is optional: none, {} and a grace period all work', async () => {
    const { apiKey: admin } = await createTenant();
    for (const init of [{}, { json: {} }, { json: { gracePeriodSeconds: 604800 } }]) {
      const old = await issueApiKey(admin.secret);
      const response = await rotate(admin.secret, old.id, init);
      expect(response.status, JSON.stringify(init)).toBe(201);
    }
  });

  test.each([
    [{ gracePeriodSeconds: -1 }],
    [{ gracePeriodSeconds: 604801 }],
    [{ gracePeriodSeconds: 1.5 }],
    [{ gracePeriodSeconds: '60' }],
  ])('refuses %j with a 422 and changes nothing', async (body) => {
    const { apiKey: admin } = await createTenant();
    const old = await issueApiKey(admin.secret);
    const response = await rotate(admin.secret, old.id, { json: body });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/gracePeriodSeconds']);
    expect((await getKey(admin.secret, old.id)).expiresAt).toBeNull();
  });

  test('refuses unknown fields', async () => {
    const { apiKey: admin } = await createTenant();
    const response = await rotate(admin.secret, admin.id, { json: { grace: 10 } });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/grace']);
  });

  test('a revoked or expired key cannot be rotated: 409, and nothing is created', async () => {
    const { apiKey: admin } = await createTenant();
    const revoked = await issueApiKey(admin.secret);
    await revoke(admin.secret, revoked.id);
    const expired = await issueApiKey(admin.secret);
    await owner.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [expired.id]);
    for (const [key, state] of [
      [revoked, 'revoked'],
      [expired, 'expired'],
    ] as const) {
      const response = await rotate(admin.secret, key.id);
      expect(response.status).toBe(409);
      expect((await problemOf(response)).detail).toContain(state);
      expect(await auditCount('api_key.rotated', key.id)).toBe(0);
    }
    const { rows } = await owner.query('select count(*)::int as n from api_keys where rotated_from_id = any($1)', [
      [revoked.id, expired.id],
    ]);
    expect(rows[0].n).toBe(0);
  });

  test("another tenant's key is a 404, untouched", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const response = await rotate(b.apiKey.secret, a.apiKey.id);
    expect(response.status).toBe(404);
    await problemOf(response);
    expect((await getKey(a.apiKey.secret, a.apiKey.id)).expiresAt).toBeNull();
    expect(await listAll<ApiKey>('/v1/api-keys', b.apiKey.secret)).toHaveLength(1);
  });

  test('costs a read of the old key (with the key check) and one audited batch', async () => {
    const { apiKey: admin } = await createTenant();
    const old = await issueApiKey(admin.secret);
    const before = await roundTrips();
    const response = await rotate(admin.secret, old.id, { json: { gracePeriodSeconds: 60 } });
    // The read comes first so the response (kept for an Idempotency-Key) is known before the write.
    expect((await roundTrips()) - before).toBe(2);
    const created = (await response.json()) as IssuedApiKey;
    const { rows } = await owner.query(`select details from audit_events where action = 'api_key.rotated' and target_id = $1`, [
      old.id,
    ]);
    expect(rows).toEqual([{ details: { gracePeriodSeconds: 60, newKeyId: created.id } }]);
  });
});
