import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createPartnerClient,
  createTenant,
  type IssuedPartnerClient,
  issueApiKey,
  ownerPool,
  problemOf,
} from './helpers.ts';

const db = ownerPool();

type PartnerClient = Omit<IssuedPartnerClient, 'clientSecret'>;

async function auditRows(targetId: string) {
  const { rows } = await db.query(
    'select action, actor_type, actor_id, target_id, details from audit_events where target_id = $1 order by id',
    [targetId],
  );
  return rows;
}

let owner: CreatedTenant;
beforeAll(async () => {
  owner = await createTenant({ name: 'Partner owner' });
});

describe('POST /v1/partner-clients', () => {
  test('registers a client and shows its secret once, not to be cached', async () => {
    const response = await api('/v1/partner-clients', {
      method: 'POST',
      key: owner.apiKey.secret,
      json: { name: '  Helpdesk  ', scopes: ['ratings:write', 'reports:read'] },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const client = (await response.json()) as IssuedPartnerClient;
    expect(client).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      clientId: client.id,
      name: 'Helpdesk',
      displayPrefix: client.clientSecret.slice(0, 12),
      scopes: ['ratings:write', 'reports:read'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
      clientSecret: expect.stringMatching(/^scs_[A-Za-z0-9_-]{32}$/),
    });
    expect(response.headers.get('location')).toBe(`/v1/partner-clients/${client.id}`);
  });

  test('stores only the SHA-256 of the secret, and never shows it again', async () => {
    const client = await createPartnerClient(owner.apiKey.secret);
    const { rows } = await db.query('select * from partner_clients where id = $1', [client.id]);
    const hash = createHash('sha256').update(client.clientSecret).digest('hex');
    expect(rows[0].secret_hash).toBe(hash);
    expect(JSON.stringify(rows[0])).not.toContain(client.clientSecret);
    for (const path of [`/v1/partner-clients/${client.id}`, '/v1/partner-clients?limit=100']) {
      const text = await (await api(path, { key: owner.apiKey.secret })).text();
      expect(text).toContain(client.id);
      for (const hidden of [client.clientSecret, hash, 'clientSecret', 'secretHash']) expect(text).not.toContain(hidden);
    }
  });

  test('is audited as partner_client.created, by the calling key', async () => {
    const client = await createPartnerClient(owner.apiKey.secret, { name: 'Audited', scopes: ['ratings:read'] });
    expect(await auditRows(client.id)).toEqual([
      {
        action: 'partner_client.created',
        actor_type: 'api_key',
        actor_id: owner.apiKey.id,
        target_id: client.id,
        details: { name: 'Audited', scopes: ['ratings:read'] },
      },
    ]);
  });

  test('an admin key may grant any scope (admin counts as all)', async () => {
    const { apiKey } = await createTenant();
    const adminOnly = await issueApiKey(apiKey.secret, { scopes: ['admin'] });
    const client = await createPartnerClient(adminOnly.secret, { scopes: ['ratings:write', 'ratings:read', 'reports:read'] });
    expect(client.scopes).toEqual(['ratings:write', 'ratings:read', 'reports:read']);
  });

  test.each([
    [{ name: 'x', scopes: [] }, '/scopes'],
    [{ name: 'x', scopes: ['ratings:read', 'ratings:read'] }, '/scopes'],
    [{ name: 'x', scopes: ['everything'] }, '/scopes/0'],
    [{ name: 'x' }, '/scopes'],
    [{ name: '   ', scopes: ['admin'] }, '/name'],
    [{ name: 'x'.repeat(101), scopes: ['admin'] }, '/name'],
    [{ scopes: ['admin'] }, '/name'],
    [{ name: 'x', scopes: ['admin'], clientSecret: 'scs_mine' }, '/clientSecret'],
  ])('refuses %j with a 422 at %s', async (body, pointer) => {
    const response = await api('/v1/partner-clients', { method: 'POST', key: owner.apiKey.secret, json: body });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });
});

describe('the admin scope', () => {
  let readOnlyKey: string;
  let client: IssuedPartnerClient;
  beforeAll(async () => {
    readOnlyKey = (await issueApiKey(owner.apiKey.secret, { scopes: ['ratings:read', 'reports:read'] })).secret;
    client = await createPartnerClient(owner.apiKey.secret);
  });

  test.each([
    ['POST', '/v1/partner-clients'],
    ['GET', '/v1/partner-clients'],
    ['GET', '/v1/partner-clients/:id'],
    ['DELETE', '/v1/partner-clients/:id'],
  ])('%s %s without it is a 403 naming it', async (method, path) => {
    const response = await api(path.replace(':id', client.id), {
      method,
      key: readOnlyKey,
      ...(method === 'POST' ? { json: { name: 'Sneaky', scopes: ['ratings:read'] } } : {}),
    });
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toContain("'admin'");
  });

  test('without credentials it is a 401', async () => {
    expect((await api('/v1/partner-clients')).status).toBe(401);
  });
});

describe('GET /v1/partner-clients', () => {
  test('pages through the tenant\'s clients, newest first, never another tenant\'s', async () => {
    const { apiKey } = await createTenant({ name: 'Three clients' });
    const created: IssuedPartnerClient[] = [];
    for (const name of ['first', 'second', 'third']) created.push(await createPartnerClient(apiKey.secret, { name }));
    await createPartnerClient(owner.apiKey.secret, { name: 'elsewhere' });

    const first = await api('/v1/partner-clients?limit=2', { key: apiKey.secret });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { data: PartnerClient[]; nextCursor: string | null };
    expect(page1.data.map((c) => c.name)).toEqual(['third', 'second']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const { clientSecret: _, ...third } = created[2]!;
    expect(page1.data[0]).toEqual(third);

    const page2 = (await (await api(`/v1/partner-clients?limit=2&cursor=${page1.nextCursor}`, { key: apiKey.secret })).json()) as {
      data: PartnerClient[];
      nextCursor: string | null;
    };
    expect(page2).toEqual({ data: [expect.objectContaining({ name: 'first' })], nextCursor: null });
  });

  test('refuses a cursor it did not issue', async () => {
    const response = await api('/v1/partner-clients?cursor=bogus', { key: owner.apiKey.secret });
    expect(response.status).toBe(400);
    await problemOf(response);
  });
});

describe('GET /v1/partner-clients/{id}', () => {
  test('returns the client without its secret', async () => {
    const { clientSecret: _, ...client } = await createPartnerClient(owner.apiKey.secret);
    const response = await api(`/v1/partner-clients/${client.id}`, { key: owner.apiKey.secret });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(client);
  });

  test("is a 404 for an unknown id, a malformed one, or another tenant's client", async () => {
    const foreign = await createPartnerClient((await createTenant()).apiKey.secret);
    for (const id of ['0190f5d2-0000-7000-8000-000000000000', 'not-a-uuid', foreign.id]) {
      const response = await api(`/v1/partner-clients/${id}`, { key: owner.apiKey.secret });
      expect(response.status, id).toBe(404);
      await problemOf(response);
    }
  });
});

describe('DELETE /v1/partner-clients/{id}', () => {
  test('revokes the client; revoking again changes nothing and is audited once', async () => {
    const client = await createPartnerClient(owner.apiKey.secret);
    const response = await api(`/v1/partner-clients/${client.id}`, { method: 'DELETE', key: owner.apiKey.secret });
    expect(response.status).toBe(200);
    const revoked = (await response.json()) as PartnerClient;
    expect(revoked).toMatchObject({ id: client.id, revokedAt: expect.any(String) });

    const again = await api(`/v1/partner-clients/${client.id}`, { method: 'DELETE', key: owner.apiKey.secret });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(revoked);
    expect(await (await api(`/v1/partner-clients/${client.id}`, { key: owner.apiKey.secret })).json()).toEqual(revoked);

    const revocations = (await auditRows(client.id)).filter((row) => row.action === 'partner_client.revoked');
    expect(revocations).toEqual([
      { action: 'partner_client.revoked', actor_type: 'api_key', actor_id: owner.apiKey.id, target_id: client.id, details: {} },
    ]);
  });

  test("is a 404 for another tenant's client, which stays live", async () => {
    const other = await createTenant();
    const foreign = await createPartnerClient(other.apiKey.secret);
    const response = await api(`/v1/partner-clients/${foreign.id}`, { method: 'DELETE', key: owner.apiKey.secret });
    expect(response.status).toBe(404);
    await problemOf(response);
    const { rows } = await db.query('select revoked_at from partner_clients where id = $1', [foreign.id]);
    expect(rows[0].revoked_at).toBeNull();
    expect(await auditRows(foreign.id)).toHaveLength(1);
  });
});
