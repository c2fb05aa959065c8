import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { api, createTenant, operatorToken, ownerPool, problemOf, validTenant } from './helpers.ts';

const db = ownerPool();

describe('POST /v1/tenants (operator)', () => {
  test('creates the tenant and returns its first admin key once', async () => {
    const response = await api('/v1/tenants', { method: 'POST', key: operatorToken, json: validTenant });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { tenant, apiKey } = (await response.json()) as Awaited<ReturnType<typeof createTenant>>;
    expect(tenant).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...validTenant,
      benchmarkOptIn: false,
      allowedOrigins: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(apiKey.secret).toMatch(/^sck_[A-Za-z0-9_-]{76}$/);
    expect(apiKey.secret.startsWith(apiKey.displayPrefix)).toBe(true);
    expect(apiKey.scopes).toContain('admin');
  });

  test('stores only the SHA-256 of the key, never the key', async () => {
    const { apiKey } = await createTenant();
    const { rows } = await db.query('select * from api_keys where id = $1', [apiKey.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_hash).toBe(createHash('sha256').update(apiKey.secret).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(apiKey.secret);
  });

  test('the returned key authenticates as that tenant', async () => {
    const { tenant, apiKey } = await createTenant({ name: 'Keyholder', benchmarkOptIn: true });
    const response = await api('/v1/tenant', { key: apiKey.secret });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(tenant);
  });
});

describe('GET /v1/tenant', () => {
  test("returns the caller's own tenant, not another's", async () => {
    const a = await createTenant({ name: 'Tenant A' });
    const b = await createTenant({ name: 'Tenant B' });
    expect(((await (await api('/v1/tenant', { key: a.apiKey.secret })).json()) as { id: string }).id).toBe(a.tenant.id);
    expect(((await (await api('/v1/tenant', { key: b.apiKey.secret })).json()) as { id: string }).id).toBe(b.tenant.id);
  });

  test('a revoked or expired key is refused', async () => {
    const revoked = await createTenant();
    await db.query('update api_keys set revoked_at = now() where id = $1', [revoked.apiKey.id]);
    expect((await api('/v1/tenant', { key: revoked.apiKey.secret })).status).toBe(401);
    const expired = await createTenant();
    await db.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [expired.apiKey.id]);
    expect((await api('/v1/tenant', { key: expired.apiKey.secret })).status).toBe(401);
  });
});

describe('PATCH /v1/tenant', () => {
  test('changes only the fields sent', async () => {
    const { tenant, apiKey } = await createTenant();
    const response = await api('/v1/tenant', {
      method: 'PATCH',
      key: apiKey.secret,
      json: { benchmarkOptIn: true, region: 'MX', sizeBand: '1000+' },
    });
    expect(response.status).toBe(200);
    const { benchmarkCohorts, ...updated } = (await response.json()) as typeof tenant & { updatedAt: string; benchmarkCohorts?: unknown };
    expect(updated).toMatchObject({ ...tenant, benchmarkOptIn: true, region: 'MX', sizeBand: '1000+', updatedAt: expect.any(String) });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(tenant.createdAt));
    expect(await (await api('/v1/tenant', { key: apiKey.secret })).json()).toEqual(updated);
    // Moving region and size band says when the new cohorts count (issue 14).
    expect(benchmarkCohorts).toMatchObject({ takesEffect: 'nextSnapshot' });
  });

  test('sets the allowed browser origins', async () => {
    const { apiKey } = await createTenant();
    const origins = ['https://helpdesk.example.com', 'http://localhost:5173'];
    const response = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { allowedOrigins: origins } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { allowedOrigins: string[] }).allowedOrigins).toEqual(origins);
  });

  test('trims the name and refuses an empty one', async () => {
    const { apiKey } = await createTenant();
    const trimmed = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { name: '  Renamed  ' } });
    expect(((await trimmed.json()) as { name: string }).name).toBe('Renamed');
    const empty = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { name: '   ' } });
    expect(empty.status).toBe(422);
  });

  test.each([
    [{}, ''],
    [{ region: 'es' }, '/region'],
    [{ industry: 'crypto' }, '/industry'],
    [{ benchmarkOptIn: 1 }, '/benchmarkOptIn'],
    [{ id: '00000000-0000-0000-0000-000000000000' }, '/id'],
    [{ createdAt: '2020-01-01T00:00:00Z' }, '/createdAt'],
    [{ allowedOrigins: ['https://app.example.com/'] }, '/allowedOrigins/0'],
    [{ allowedOrigins: ['http://app.example.com'] }, '/allowedOrigins/0'],
    [{ allowedOrigins: ['*'] }, '/allowedOrigins/0'],
    [{ allowedOrigins: Array.from({ length: 21 }, (_, i) => `https://a${i}.example.com`) }, '/allowedOrigins'],
  ])('refuses %j with a 422 at %s and changes nothing', async (changes, pointer) => {
    const { tenant, apiKey } = await createTenant();
    const response = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: changes });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
    expect(await (await api('/v1/tenant', { key: apiKey.secret })).json()).toEqual(tenant);
  });
});
