import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  internalWriterKey,
  issueApiKey,
  operatorToken,
  ownerPool,
  problemOf,
  roundTrips,
  validTenant,
} from './helpers.ts';

const owner = ownerPool();

let tenant: CreatedTenant;
/** A second admin credential of the same tenant. */
let otherSecret: string;
/** Internal ratings take keys of their own (internal-ratings:write), which admin does not imply: two of them. */
let writers: [string, string];
beforeAll(async () => {
  tenant = await createTenant({ name: 'Idempotency' });
  otherSecret = (await issueApiKey(tenant.apiKey.secret, { name: 'other admin', scopes: ['admin', 'ratings:write'] })).secret;
  writers = [await internalWriterKey(tenant.apiKey.secret), await internalWriterKey(tenant.apiKey.secret)];
});

const isInternal = (path: string) => path.startsWith('/v1/internal-ratings');
const post = (path: string, json: unknown, key: string, secret = isInternal(path) ? writers[0] : tenant.apiKey.secret) =>
  api(path, { method: 'POST', key: secret, json, headers: { 'Idempotency-Key': key } });

async function count(sql: string, params: unknown[]): Promise<number> {
  return Number((await owner.query(sql, params)).rows[0].n);
}

interface Write {
  /** A valid body, another valid body, and how many rows the first has written so far. */
  body: unknown;
  other: unknown;
  rows: () => Promise<number>;
}

/** Every tenant POST that honours Idempotency-Key; `secret` names the field shown once, if any. */
const routes: { path: string; secret?: string; make: () => Promise<Write> }[] = [
  {
    path: '/v1/units',
    make: async () => {
      const name = crypto.randomUUID();
      return {
        body: { name, kind: 'touchpoint' },
        other: { name, kind: 'internal-supplier' },
        rows: () => count('select count(*) as n from units where name = $1', [name]),
      };
    },
  },
  {
    path: '/v1/api-keys',
    secret: 'secret',
    make: async () => {
      const name = crypto.randomUUID();
      return {
        body: { name, scopes: ['ratings:read'] },
        other: { name, scopes: ['reports:read'] },
        rows: () => count('select count(*) as n from api_keys where name = $1', [name]),
      };
    },
  },
  {
    path: '/v1/partner-clients',
    secret: 'clientSecret',
    make: async () => {
      const name = crypto.randomUUID();
      return {
        body: { name, scopes: ['ratings:write'] },
        other: { name, scopes: ['reports:read'] },
        rows: () => count('select count(*) as n from partner_clients where name = $1', [name]),
      };
    },
  },
  ...(['external', 'internal'] as const).flatMap((kind) => {
    const rating = kind === 'external' ? externalRating : internalRating;
    const changed = kind === 'external' ? { overall: 2 } : { willingness: 1 };
    const rows = (unitId: string) => () => count(`select count(*) as n from ${kind}_ratings where unit_id = $1`, [unitId]);
    return [
      {
        path: `/v1/${kind}-ratings`,
        make: async () => {
          const { id } = await createUnit(tenant.apiKey.secret);
          return { body: rating(id), other: rating(id, changed), rows: rows(id) };
        },
      },
      {
        path: `/v1/${kind}-ratings/batch`,
        make: async () => {
          const { id } = await createUnit(tenant.apiKey.secret);
          return { body: { items: [rating(id)] }, other: { items: [rating(id), rating(id)] }, rows: rows(id) };
        },
      },
    ];
  }),
];

describe.each(routes)('POST $path with an Idempotency-Key', ({ path, secret, make }) => {
  test('the same key and body replays the first response and writes once', async () => {
    const { body, rows } = await make();
    const key = crypto.randomUUID();
    const first = await post(path, body, key);
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as Record<string, unknown>;
    const second = await post(path, body, key);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const replayed = (await second.json()) as Record<string, unknown>;
    if (secret) {
      // Shown once: the stored response, so the replay, never holds the secret.
      expect(typeof firstBody[secret]).toBe('string');
      expect(replayed).toEqual({ ...firstBody, [secret]: null });
      expect(second.headers.get('cache-control')).toBe('no-store');
      const stored = await owner.query('select response_body::text as body from idempotency_keys where key = $1', [key]);
      expect(stored.rows[0].body).not.toContain(firstBody[secret]);
    } else {
      expect(replayed).toEqual(firstBody);
    }
    expect(await rows()).toBe(1);
  });

  test('the same key with another body is a 422 and writes nothing', async () => {
    const { body, other, rows } = await make();
    const key = crypto.randomUUID();
    expect((await post(path, body, key)).status).toBe(201);
    const response = await post(path, other, key);
    expect(response.status).toBe(422);
    expect((await problemOf(response)).type).toContain('idempotency-key-reused');
    expect(await rows()).toBe(1);
  });

  test('keys are per credential: another key of the tenant may reuse the value', async () => {
    const { body, rows } = await make();
    const key = crypto.randomUUID();
    expect((await post(path, body, key)).status).toBe(201);
    const second = await post(path, body, key, isInternal(path) ? writers[1] : otherSecret);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await rows()).toBe(2);
  });

  test('a first write with a key costs one round trip: the credential check leads the batch', async () => {
    const { body } = await make();
    const before = await roundTrips();
    const response = await post(path, body, crypto.randomUUID());
    await response.arrayBuffer();
    expect(response.status).toBe(201);
    expect((await roundTrips()) - before).toBe(1);
  });
});

describe('a write the database refuses does not use the key up', () => {
  test('a unit under an unknown parent: 422 at /parentId, then the key still works', async () => {
    const key = crypto.randomUUID();
    const name = crypto.randomUUID();
    const ghost = '01a209a4-ba5b-7b50-b9e2-1ae7dfb2a0aa';
    const refused = await post('/v1/units', { name, kind: 'touchpoint', parentId: ghost }, key);
    expect(refused.status).toBe(422);
    expect((await problemOf(refused)).errors!.map((e) => e.pointer)).toEqual(['/parentId']);
    expect((await post('/v1/units', { name, kind: 'touchpoint' }, key)).status).toBe(201);
  });

  test('a taken externalRef: 409, then the key still works', async () => {
    const externalRef = `ref-${crypto.randomUUID()}`;
    await createUnit(tenant.apiKey.secret, { externalRef });
    const key = crypto.randomUUID();
    const refused = await post('/v1/units', { name: 'twin', kind: 'touchpoint', externalRef }, key);
    expect(refused.status).toBe(409);
    expect((await problemOf(refused)).type).toContain('/conflict');
    const accepted = await post('/v1/units', { name: 'twin', kind: 'touchpoint', externalRef: `${externalRef}-2` }, key);
    expect(accepted.status).toBe(201);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('POST /v1/api-keys/{id}/rotate', () => {
  test('rotates once per key: a retry replays the new key without its secret', async () => {
    const old = await issueApiKey(tenant.apiKey.secret, { name: 'to rotate' });
    const key = crypto.randomUUID();
    const first = await post(`/v1/api-keys/${old.id}/rotate`, { gracePeriodSeconds: 0 }, key);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; secret: string | null; rotatedFromId: string };
    expect(created.secret).toMatch(/^sck_/);
    expect(created.rotatedFromId).toBe(old.id);
    // The old key expired at once (grace 0), yet the retry replays instead of answering 409.
    const retry = await post(`/v1/api-keys/${old.id}/rotate`, { gracePeriodSeconds: 0 }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/v1/api-keys/${created.id}`);
    expect(await retry.json()).toEqual({ ...created, secret: null });
    expect(await count('select count(*) as n from api_keys where rotated_from_id = $1', [old.id])).toBe(1);
    expect((await api('/v1/tenant', { key: created.secret! })).status).toBe(200);
  });

  test('a key that can no longer be rotated is a 409 and does not use the idempotency key up', async () => {
    const old = await issueApiKey(tenant.apiKey.secret, { name: 'revoked' });
    await api(`/v1/api-keys/${old.id}`, { method: 'DELETE', key: tenant.apiKey.secret });
    const key = crypto.randomUUID();
    const refused = await post(`/v1/api-keys/${old.id}/rotate`, {}, key);
    expect(refused.status).toBe(409);
    expect((await problemOf(refused)).detail).toContain('revoked');
    expect(await count('select count(*) as n from idempotency_keys where key = $1', [key])).toBe(0);
  });
});

describe('POST /v1/tenants (operator)', () => {
  test('creates one tenant per key: a retry replays it without the first key’s secret', async () => {
    const name = crypto.randomUUID();
    const key = crypto.randomUUID();
    const first = await post('/v1/tenants', { ...validTenant, name }, key, operatorToken);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { tenant: { id: string }; apiKey: { secret: string | null } };
    expect(created.apiKey.secret).toMatch(/^sck_/);
    const retry = await post('/v1/tenants', { ...validTenant, name }, key, operatorToken);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual({ ...created, apiKey: { ...created.apiKey, secret: null } });
    expect(await count('select count(*) as n from tenants where name = $1', [name])).toBe(1);
    const other = await post('/v1/tenants', { ...validTenant, name: `${name}-2` }, key, operatorToken);
    expect(other.status).toBe(422);
  });
});
