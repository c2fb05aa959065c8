import { decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { generateSigningKey, type SigningJwk } from '../../scripts/lib/signing-keys.ts';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import {
  accessToken,
  api,
  basicAuth,
  type CreatedTenant,
  createPartnerClient,
  createTenant,
  type IssuedPartnerClient,
  ownerPool,
  problemOf,
  requestToken,
  roundTrips,
} from './helpers.ts';

const db = ownerPool();

const [testKey] = JSON.parse(inject('signingKeys')) as [SigningJwk];
const grant = { grant_type: 'client_credentials' };

let owner: CreatedTenant;
let client: IssuedPartnerClient;
beforeAll(async () => {
  owner = await createTenant({ name: 'OAuth owner' });
  client = await createPartnerClient(owner.apiKey.secret, { scopes: ['ratings:write', 'reports:read'] });
});

const basic = (c: IssuedPartnerClient, secret = c.clientSecret) => ({ Authorization: basicAuth(c.clientId, secret) });

async function auditRows(targetId: string, action: string) {
  const { rows } = await db.query(
    'select actor_type, actor_id, target_id, request_id, details from audit_events where target_id = $1 and action = $2 order by id',
    [targetId, action],
  );
  return rows;
}

/** The audit rows a revoked client's refused `response` leaves: exactly one, naming the client and the request. */
function refusedAsRevoked(clientId: string, response: Response) {
  return [
    {
      actor_type: 'partner_client',
      actor_id: clientId,
      target_id: clientId,
      request_id: response.headers.get('x-request-id'),
      details: { reason: 'revoked' },
    },
  ];
}

describe('POST /oauth/token', () => {
  test('issues an ES256 access token for HTTP Basic client authentication', async () => {
    const response = await requestToken(grant, basic(client));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'ratings:write reports:read',
    });
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: testKey.kid, typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: 'https://api.service-culture.dev',
      aud: 'service-culture-api',
      sub: client.clientId,
      client_id: client.clientId,
      tenant: owner.tenant.id,
      scope: 'ratings:write reports:read',
      iat: expect.any(Number),
      exp: claims.iat! + 900,
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
    });
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
  });

  test('accepts client_id and client_secret in the body instead', async () => {
    const response = await requestToken({ ...grant, client_id: client.clientId, client_secret: client.clientSecret });
    expect(response.status).toBe(200);
  });

  test('decodes Basic credentials as form-urlencoded (RFC 6749 §2.3.1)', async () => {
    const encoded = client.clientSecret.replace('scs_', 'scs%5F');
    const header = `Basic ${Buffer.from(`${client.clientId}:${encoded}`).toString('base64')}`;
    expect((await requestToken(grant, { Authorization: header })).status).toBe(200);
  });

  test('grants fewer scopes when asked, and records when the client was last used', async () => {
    const fresh = await createPartnerClient(owner.apiKey.secret, { scopes: ['ratings:write', 'reports:read'] });
    const response = await requestToken({ ...grant, scope: 'reports:read' }, basic(fresh));
    expect(((await response.json()) as { scope: string }).scope).toBe('reports:read');
    const listed = await (await api(`/v1/partner-clients/${fresh.id}`, { key: owner.apiKey.secret })).json();
    expect((listed as { lastUsedAt: string | null }).lastUsedAt).toEqual(expect.any(String));
  });

  test('a client with admin may ask for any narrower scope', async () => {
    const admin = await createPartnerClient(owner.apiKey.secret, { scopes: ['admin'] });
    const response = await requestToken({ ...grant, scope: 'ratings:read' }, basic(admin));
    expect(((await response.json()) as { scope: string }).scope).toBe('ratings:read');
  });

  describe('refuses, as RFC 6749 §5.2 JSON', () => {
    const unknownClient = '0190f5d2-0000-7000-8000-000000000000';
    const wrongSecret = `scs_${'A'.repeat(32)}`;
    const form = (contentType: string, body: string | Uint8Array) =>
      fetch(`${inject('workerUrl')}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': contentType, ...basic(client) },
        body,
      });
    const multipart = new FormData();
    multipart.set('grant_type', 'client_credentials');
    const cases: [string, number, string, () => Promise<Response>][] = [
      ['a wrong secret (Basic)', 401, 'invalid_client', () => requestToken(grant, basic(client, wrongSecret))],
      [
        'a wrong secret (body)',
        401,
        'invalid_client',
        () => requestToken({ ...grant, client_id: client.clientId, client_secret: wrongSecret }),
      ],
      ['an unknown client', 401, 'invalid_client', () => requestToken(grant, { Authorization: basicAuth(unknownClient, wrongSecret) })],
      ['a client id that is no UUID', 401, 'invalid_client', () => requestToken(grant, { Authorization: basicAuth('kiosk', wrongSecret) })],
      ['no client authentication', 401, 'invalid_client', () => requestToken(grant)],
      ['a client_id without a secret', 401, 'invalid_client', () => requestToken({ ...grant, client_id: client.clientId })],
      ['a Bearer token', 401, 'invalid_client', () => requestToken(grant, { Authorization: `Bearer ${client.clientSecret}` })],
      ['malformed Basic credentials', 401, 'invalid_client', () => requestToken(grant, { Authorization: 'Basic %%%' })],
      [
        'both HTTP Basic and body credentials',
        400,
        'invalid_request',
        () => requestToken({ ...grant, client_id: client.clientId, client_secret: client.clientSecret }, basic(client)),
      ],
      ['a missing grant_type', 400, 'invalid_request', () => requestToken({}, basic(client))],
      ['an empty grant_type', 400, 'invalid_request', () => requestToken({ grant_type: '' }, basic(client))],
      ['grant_type=password', 400, 'unsupported_grant_type', () => requestToken({ grant_type: 'password' }, basic(client))],
      [
        'a repeated parameter',
        400,
        'invalid_request',
        () => requestToken('grant_type=client_credentials&grant_type=client_credentials', basic(client)),
      ],
      ['a scope the client lacks', 400, 'invalid_scope', () => requestToken({ ...grant, scope: 'reports:read admin' }, basic(client))],
      ['an unknown scope', 400, 'invalid_scope', () => requestToken({ ...grant, scope: 'everything' }, basic(client))],
      ['a JSON body', 400, 'invalid_request', () => form('application/json', JSON.stringify(grant))],
      [
        'no body and no content type',
        400,
        'invalid_request',
        () => fetch(`${inject('workerUrl')}/oauth/token`, { method: 'POST', headers: basic(client) }),
      ],
      [
        'a multipart body',
        400,
        'invalid_request',
        () => fetch(`${inject('workerUrl')}/oauth/token`, { method: 'POST', headers: basic(client), body: multipart }),
      ],
      [
        'binary garbage',
        400,
        'invalid_request',
        () => form('application/x-www-form-urlencoded', new Uint8Array([0xff, 0xfe, 0x00, 0x25, 0x3d, 0x26, 0xc3])),
      ],
      ['a body over 4 KiB', 400, 'invalid_request', () => requestToken({ ...grant, scope: 'x'.repeat(5000) }, basic(client))],
    ];

    test.each(cases)('%s: %i %s', async (_, status, error, send) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
      expect(body.error).toBe(error);
      // §5.2: error_description is printable ASCII without " and \.
      expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
      expect(response.headers.get('www-authenticate')).toBe(status === 401 ? 'Basic realm="service-culture"' : null);
    });
  });

  test('refuses requests it can judge alone without a database round trip', async () => {
    const before = await roundTrips();
    for (const send of [
      () => requestToken({ grant_type: 'password' }, basic(client)),
      () => requestToken(grant, { Authorization: basicAuth('kiosk', 'secret') }),
      () => requestToken({ ...grant, scope: 'everything' }, basic(client)),
    ]) {
      expect((await send()).status).toBeGreaterThanOrEqual(400);
    }
    expect((await roundTrips()) - before).toBe(0);
  });

  test('refuses a revoked client, and audits the attempt', async () => {
    const revoked = await createPartnerClient(owner.apiKey.secret);
    await api(`/v1/partner-clients/${revoked.id}`, { method: 'DELETE', key: owner.apiKey.secret });
    const response = await requestToken(grant, basic(revoked));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'The client has been revoked.' });
    expect(await auditRows(revoked.id, 'credential.refused')).toEqual(refusedAsRevoked(revoked.id, response));
  });
});

describe('access tokens on the API', () => {
  test("authenticate as the client's tenant", async () => {
    const response = await api('/v1/tenant', { key: await accessToken(client) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(owner.tenant);
  });

  test('cost one database round trip, like an API key', async () => {
    const token = await accessToken(client);
    const before = await roundTrips();
    const response = await api('/v1/tenant', { key: token });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect((await roundTrips()) - before).toBe(1);
  });

  test("carry the token's scopes, not the client's: a missing one is a 403 naming it", async () => {
    const admin = await createPartnerClient(owner.apiKey.secret, { scopes: ['admin', 'ratings:read'] });
    const narrow = await api('/v1/tenant', { method: 'PATCH', key: await accessToken(admin, 'ratings:read'), json: { benchmarkOptIn: true } });
    expect(narrow.status).toBe(403);
    expect((await problemOf(narrow)).detail).toContain("'admin'");
    const readOnly = await api('/v1/tenant', { method: 'PATCH', key: await accessToken(client), json: { benchmarkOptIn: true } });
    expect(readOnly.status).toBe(403);
  });

  test('carry only the scopes the client still holds: one taken from the client stops working at once (issue 14)', async () => {
    const partner = await createPartnerClient(owner.apiKey.secret, { scopes: ['ratings:read', 'reports:read'] });
    const token = await accessToken(partner);
    expect((await api('/v1/targets', { key: token })).status).toBe(200);
    // No route narrows a client today; the owner does, as a future one (or an operator) would.
    await db.query(`update partner_clients set scopes = '{ratings:read}' where id = $1`, [partner.id]);
    const refused = await api('/v1/targets', { key: token });
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).detail).toContain("'reports:read'");
    expect((await api('/v1/units', { key: token })).status).toBe(200);
  });

  test('act as the client in the audit log', async () => {
    const admin = await createPartnerClient(owner.apiKey.secret, { scopes: ['admin'] });
    const response = await api('/v1/tenant', { method: 'PATCH', key: await accessToken(admin), json: { benchmarkOptIn: true } });
    expect(response.status).toBe(200);
    const { rows } = await db.query('select actor_type, actor_id from audit_events where request_id = $1', [
      response.headers.get('x-request-id'),
    ]);
    expect(rows).toEqual([{ actor_type: 'partner_client', actor_id: admin.id }]);
  });

  test("stop working on the next request once the client is revoked, and the attempt is audited", async () => {
    const doomed = await createPartnerClient(owner.apiKey.secret);
    const token = await accessToken(doomed);
    expect((await api('/v1/tenant', { key: token })).status).toBe(200);
    await api(`/v1/partner-clients/${doomed.id}`, { method: 'DELETE', key: owner.apiKey.secret });
    const response = await api('/v1/tenant', { key: token });
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toBe('The partner client has been revoked.');
    expect(await auditRows(doomed.id, 'credential.refused')).toEqual(refusedAsRevoked(doomed.id, response));
  });

  describe('refuse with 401 invalid_token', () => {
    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (overrides: JWTPayload = {}): JWTPayload => ({
      iss: 'https://api.service-culture.dev',
      aud: 'service-culture-api',
      sub: client.clientId,
      tenant: owner.tenant.id,
      scope: 'ratings:write',
      iat: now(),
      exp: now() + 900,
      jti: crypto.randomUUID(),
      ...overrides,
    });
    /** A token signed with `key` (the worker's own by default): only what the test changes is wrong. */
    async function sign(payload: JWTPayload = claims(), header: Record<string, unknown> = {}, key: SigningJwk = testKey) {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid: testKey.kid, typ: 'at+jwt', ...header })
        .sign(await importJWK(key, 'ES256'));
    }

    test('the control: a token signed here with the worker key is accepted', async () => {
      expect((await api('/v1/tenant', { key: await sign() })).status).toBe(200);
    });

    const cases: [string, () => Promise<string>, RegExp][] = [
      ['forged: signed by another key under our kid', async () => sign(claims(), {}, generateSigningKey()), /signature/],
      ['signed by an unknown key', async () => sign(claims(), { kid: 'retired-key' }), /unknown key/],
      ['alg: none', async () => `${base64url({ alg: 'none', typ: 'at+jwt' })}.${base64url(claims())}.`, /ES256/],
      [
        'alg: HS256 (algorithm confusion)',
        async () =>
          new SignJWT(claims())
            .setProtectedHeader({ alg: 'HS256', kid: testKey.kid, typ: 'at+jwt' })
            .sign(new TextEncoder().encode(JSON.stringify(testKey))),
        /ES256/,
      ],
      ['expired beyond the 30 s skew', async () => sign(claims({ iat: now() - 300, exp: now() - 60 })), /expired/],
      ['issued over 15 minutes ago, whatever its exp', async () => sign(claims({ iat: now() - 960, exp: now() + 3600 })), /expired/],
      ['not valid yet', async () => sign(claims({ nbf: now() + 300 })), /nbf/],
      ['for another audience', async () => sign(claims({ aud: 'another-api' })), /aud/],
      ['from another issuer', async () => sign(claims({ iss: 'https://evil.example' })), /iss/],
      ['of another type (an ID token)', async () => sign(claims(), { typ: 'JWT' }), /typ/],
      ['without a tenant', async () => sign(claims({ tenant: undefined })), /tenant/],
      ['naming an unknown scope', async () => sign(claims({ scope: 'everything' })), /claims/],
      ['naming another tenant than the client', async () => sign(claims({ tenant: (await createTenant()).tenant.id })), /does not exist/],
      ['garbage in JWT shape', async () => 'abc.def.ghi', /malformed/],
      ['garbage', async () => 'garbage', /neither/],
    ];

    test.each(cases)('%s', async (_, make, reason) => {
      const response = await api('/v1/tenant', { key: await make() });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="service-culture", error="invalid_token"');
      expect((await problemOf(response)).detail).toMatch(reason);
    });
  });
});

describe('GET /.well-known/jwks.json', () => {
  test('publishes the public key with its kid, never a private part', async () => {
    const response = await api('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const { d: _, ...publicKey } = testKey;
    expect(await response.json()).toEqual({ keys: [publicKey] });
  });
});

describe('signing-key rotation', () => {
  const newKey = generateSigningKey();
  let rotated: RunningWorker;
  beforeAll(async () => {
    // The same database, with a new key in front of the old one: what a rotation deploys.
    rotated = await startWorker(
      {
        DATABASE_URL: inject('databaseUrl'),
        LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
        OPERATOR_TOKEN: inject('operatorToken'),
        JWT_SIGNING_KEYS: JSON.stringify([newKey, testKey]),
      },
      { script: inject('workerScript') },
    );
  });
  afterAll(() => rotated?.dispose());

  test('tokens signed with the previous key still verify', async () => {
    const response = await fetch(`${rotated.url}/v1/tenant`, { headers: { Authorization: `Bearer ${await accessToken(client)}` } });
    expect(response.status).toBe(200);
  });

  test('new tokens are signed with the new key, and both keys are published', async () => {
    const token = await accessToken(client, undefined, rotated.url);
    expect(decodeProtectedHeader(token).kid).toBe(newKey.kid);
    expect((await fetch(`${rotated.url}/v1/tenant`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const jwks = (await (await fetch(`${rotated.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKey.kid, testKey.kid]);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });

  test('a worker without the new key refuses its tokens', async () => {
    const token = await accessToken(client, undefined, rotated.url);
    const response = await api('/v1/tenant', { key: token });
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toMatch(/unknown key/);
  });
});
