/**
 * Issue 19: the document describes exactly what is sent. Tools nobody here wrote (a validating proxy,
 * contract tests generated from the document) hold every status, body and header to it; these are the
 * answers they found wrong, checked by the fuzz's oracle, which validates headers too.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createOracle, type DocumentedOperation } from '../fuzz/oracle.ts';
import {
  api,
  basicAuth,
  type CreatedTenant,
  createPartnerClient,
  createTenant,
  operatorToken,
  problemOf,
  requestToken,
} from './helpers.ts';

const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
const check = createOracle(document);

function operation(method: string, path: string): DocumentedOperation {
  const documented = document.paths[path]?.[method];
  if (!documented) throw new Error(`${method} ${path} is not in the document`);
  return { method, path, operation: documented };
}

/** Sends the request and asserts the oracle finds nothing wrong with the answer; returns it and its body. */
async function conforming(method: string, template: string, path: string, init: Parameters<typeof api>[1] = {}) {
  const response = await api(path, { ...init, method: method.toUpperCase() });
  const text = await response.text();
  expect(check(operation(method, template), response, text), `${method.toUpperCase()} ${path} → ${response.status}: ${text.slice(0, 300)}`).toBeUndefined();
  return { response, body: text ? JSON.parse(text) : undefined };
}

const ALLOWED_ORIGIN = 'https://helpdesk.example.com';

let tenant: CreatedTenant;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Conformance', allowedOrigins: [ALLOWED_ORIGIN] });
});

describe('(a) Access-Control-Allow-Origin is documented as sent only to allowed origins', () => {
  test.each([
    ['no Origin', {}, null],
    ['another origin', { Origin: 'https://evil.example' }, null],
    ['an allowed origin', { Origin: ALLOWED_ORIGIN }, ALLOWED_ORIGIN],
  ])('a 201 with %s conforms', async (_, headers, allowed) => {
    const { response } = await conforming('post', '/v1/units', '/v1/units', {
      key: tenant.apiKey.secret,
      headers,
      json: { name: `Unit ${crypto.randomUUID()}`, kind: 'touchpoint' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
  });
});

describe('(b) an idempotent replay of a secret shown once conforms, secret null', () => {
  const key = () => `conformance-${crypto.randomUUID()}`;

  test('createTenant', async () => {
    const init = { key: operatorToken, headers: { 'Idempotency-Key': key() }, json: { name: 'Replayed', industry: 'insurance', sizeBand: '1-49', region: 'ES' } };
    const first = await conforming('post', '/v1/tenants', '/v1/tenants', init);
    const replay = await conforming('post', '/v1/tenants', '/v1/tenants', init);
    expect(first.body.apiKey.secret).toMatch(/^sck_/);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.apiKey.secret).toBeNull();
  });

  test('createApiKey and rotateApiKey', async () => {
    const create = { key: tenant.apiKey.secret, headers: { 'Idempotency-Key': key() }, json: { name: 'Replayed', scopes: ['ratings:read'] } };
    const first = await conforming('post', '/v1/api-keys', '/v1/api-keys', create);
    const replay = await conforming('post', '/v1/api-keys', '/v1/api-keys', create);
    expect(replay.body).toEqual({ ...first.body, secret: null });

    const rotate = { key: tenant.apiKey.secret, headers: { 'Idempotency-Key': key() }, json: {} };
    const path = `/v1/api-keys/${first.body.id}/rotate`;
    const rotated = await conforming('post', '/v1/api-keys/{id}/rotate', path, rotate);
    expect(rotated.body.secret).toMatch(/^sck_/);
    expect((await conforming('post', '/v1/api-keys/{id}/rotate', path, rotate)).body.secret).toBeNull();
  });

  test('createPartnerClient and createWebhookEndpoint', async () => {
    for (const [path, json, secret] of [
      ['/v1/partner-clients', { name: 'Replayed', scopes: ['reports:read'] }, 'clientSecret'],
      ['/v1/webhook-endpoints', { url: 'https://hooks.example.com/replayed', eventTypes: ['api_key.revoked'] }, 'secret'],
    ] as const) {
      const init = { key: tenant.apiKey.secret, headers: { 'Idempotency-Key': key() }, json };
      expect((await conforming('post', path, path, init)).body[secret]).toEqual(expect.any(String));
      expect((await conforming('post', path, path, init)).body[secret]).toBeNull();
    }
  });
});

test('(c) /oauth/token documents client_secret_post: a requirement the body-authenticated request meets', async () => {
  const client = await createPartnerClient(tenant.apiKey.secret, { scopes: ['reports:read'] });
  const response = await requestToken({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
  expect(response.status).toBe(200);
  // No Authorization header was sent, so only a requirement naming no scheme is met.
  const { security } = operation('post', '/oauth/token').operation as { security: Record<string, string[]>[] };
  expect(security).toContainEqual({});
  expect(security).toContainEqual({ partnerClient: [] });
  expect((await requestToken({ grant_type: 'client_credentials' }, { Authorization: basicAuth(client.clientId, client.clientSecret) })).status).toBe(200);
});

describe('(d) Idempotency-Key: 1-255 characters, as documented', () => {
  const schema = operation('post', '/v1/units').operation.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key').schema;

  test('the document says 1 to 255 (257 quoted)', () => {
    expect(schema).toMatchObject({ minLength: 1, maxLength: 257, pattern: expect.any(String) });
  });

  test.each([
    ['a', 201],
    ['x'.repeat(255), 201],
    [`"${'q'.repeat(255)}"`, 201],
    ['x'.repeat(256), 400],
    ['""', 400],
  ])('%s → %i, and the document agrees', async (idempotencyKey, status) => {
    const response = await api('/v1/units', {
      method: 'POST',
      key: tenant.apiKey.secret,
      headers: { 'Idempotency-Key': idempotencyKey },
      json: { name: `Unit ${crypto.randomUUID()}`, kind: 'touchpoint' },
    });
    expect(response.status).toBe(status);
    const documented =
      idempotencyKey.length >= schema.minLength && idempotencyKey.length <= schema.maxLength && new RegExp(schema.pattern).test(idempotencyKey);
    expect(documented).toBe(status === 201);
  });
});

test("(e) an id in JSON Schema's uuid format is taken whatever its variant digit", async () => {
  // Variant digit 0 and c: valid `format: uuid`, but not RFC 9562 variant 10xx.
  for (const id of ['01234567-89ab-7def-0123-456789abcdef', '01234567-89ab-7def-c123-456789abcdef']) {
    const response = await api(`/v1/scorecard?unitId=${id}`, { key: tenant.apiKey.secret });
    // An unknown unit, not a malformed parameter.
    expect(response.status).toBe(404);
    expect((await problemOf(response)).type).toMatch(/not-found$/);
    const rating = await api('/v1/external-ratings', {
      method: 'POST',
      key: tenant.apiKey.secret,
      json: { unitId: id, occurredAt: new Date().toISOString(), overall: 4, quality: 4, customerKind: 'occasional', channel: 'web' },
    });
    const problem = await problemOf(rating);
    expect(problem.errors?.map((error) => error.detail).join(' ')).not.toMatch(/uuid|UUID/);
  }
});
