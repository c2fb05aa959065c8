import { describe, expect, test } from 'vitest';
import { MAX_BODY_BYTES } from '../../worker/app.ts';
import { api, createTenant, operatorToken, problemOf, validTenant } from './helpers.ts';

describe('every error is RFC 9457 problem+json', () => {
  test('unknown route: 404', async () => {
    const response = await api('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect((await problemOf(response)).type).toBe('https://service-culture.dev/problems/not-found');
  });

  test('wrong method on a known path: 405 with Allow', async () => {
    const response = await api('/v1/tenant', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PATCH, HEAD');
    expect((await problemOf(response)).detail).toContain('DELETE is not allowed');
  });

  test('malformed JSON: 400', async () => {
    const response = await api('/v1/tenants', {
      method: 'POST',
      key: operatorToken,
      headers: { 'Content-Type': 'application/json' },
      body: '{"name": "Acme",',
    });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).detail).toMatch(/malformed json/i);
  });

  test('wrong content type: 415, naming what to send', async () => {
    const response = await api('/v1/tenants', {
      method: 'POST',
      key: operatorToken,
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(validTenant),
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept-post')).toBe('application/json');
    expect((await problemOf(response)).detail).toContain('application/json');
  });

  test('body over the limit: 413', async () => {
    const response = await api('/v1/tenants', {
      method: 'POST',
      key: operatorToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...validTenant, name: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(response.status).toBe(413);
    await problemOf(response);
  });

  test('invalid body: 422 listing every failing field by JSON pointer', async () => {
    const response = await api('/v1/tenants', {
      method: 'POST',
      key: operatorToken,
      json: { name: '', industry: 'banks', sizeBand: '10-20', region: 'XX', benchmarkOptIn: 'yes', color: 'red' },
    });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.type).toBe('https://service-culture.dev/problems/validation-error');
    const pointers = problem.errors!.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/benchmarkOptIn', '/color', '/industry', '/name', '/region', '/sizeBand']);
    expect(problem.errors!.find((e) => e.pointer === '/region')!.detail).toContain('ISO 3166-1');
    expect(problem.errors!.every((e) => e.location === 'body')).toBe(true);
  });

  test('missing fields are named as required', async () => {
    const response = await api('/v1/tenants', { method: 'POST', key: operatorToken, json: { name: 'Only a name' } });
    const problem = await problemOf(response);
    expect(problem.errors).toEqual(
      expect.arrayContaining([{ location: 'body', pointer: '/industry', detail: 'Required' }]),
    );
  });
});

describe('credentials', () => {
  test('missing: 401 with a Bearer challenge', async () => {
    const response = await api('/v1/tenant');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="service-culture"');
    await problemOf(response);
  });

  test.each([
    ['a malformed header', 'Basic dXNlcjpwYXNz'],
    ['a key of the wrong shape', 'Bearer not-a-key'],
    ['an unknown key', `Bearer sck_${'A'.repeat(32)}`],
  ])('%s: 401 invalid_token', async (_, authorization) => {
    const response = await api('/v1/tenant', { headers: { Authorization: authorization } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await problemOf(response);
  });

  test('the operator token is not an API key, and an API key is not the operator token', async () => {
    const { apiKey } = await createTenant();
    expect((await api('/v1/tenant', { key: operatorToken })).status).toBe(401);
    const response = await api('/v1/tenants', { method: 'POST', key: apiKey.secret, json: validTenant });
    expect(response.status).toBe(401);
    await problemOf(response);
  });

  test('authentication comes before validation', async () => {
    const response = await api('/v1/tenants', { method: 'POST', json: { nonsense: true } });
    expect(response.status).toBe(401);
  });
});

describe('X-Request-Id', () => {
  test('a safe incoming id is echoed and used as the problem instance', async () => {
    const response = await api('/v1/missing', { headers: { 'X-Request-Id': 'partner-trace_42' } });
    expect(response.headers.get('x-request-id')).toBe('partner-trace_42');
    expect((await problemOf(response)).instance).toBe('partner-trace_42');
  });

  test('absent, too long or unsafe ids are replaced by a generated one', async () => {
    for (const incoming of [undefined, 'x'.repeat(129), 'has spaces', 'quote"d', '<script>']) {
      const headers: Record<string, string> = incoming === undefined ? {} : { 'X-Request-Id': incoming };
      const response = await api('/health', { headers });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
