import { beforeAll, describe, expect, test } from 'vitest';
import { api, createTenant, type CreatedTenant } from './helpers.ts';

const PARTNER = 'https://helpdesk.example.com';
const STRANGER = 'https://evil.example.net';

const preflight = (path: string, origin: string, method = 'PATCH') =>
  api(path, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, content-type' },
  });

describe('preflight', () => {
  test('answered for any origin on a known path: methods, headers, max age, never credentials', async () => {
    const response = await preflight('/v1/tenant', STRANGER);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(STRANGER);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, PATCH, HEAD, OPTIONS');
    const allowedHeaders = response.headers.get('access-control-allow-headers')!.split(', ');
    expect(allowedHeaders).toEqual(expect.arrayContaining(['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id']));
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  test('an unknown path stays 404, with no CORS grant', async () => {
    const response = await preflight('/v1/nothing-here', PARTNER, 'GET');
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a plain OPTIONS lists the allowed methods instead of answering 405', async () => {
    const response = await api('/v1/tenant', { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, PATCH, HEAD, OPTIONS');
  });
});

describe('actual responses', () => {
  let partnerTenant: CreatedTenant;
  let otherTenant: CreatedTenant;
  beforeAll(async () => {
    [partnerTenant, otherTenant] = await Promise.all([createTenant(), createTenant()]);
    const update = await api('/v1/tenant', { method: 'PATCH', key: partnerTenant.apiKey.secret, json: { allowedOrigins: [PARTNER] } });
    expect(update.status).toBe(200);
  });

  test("the tenant's allowed origin is echoed, with the headers a page may read", async () => {
    const response = await api('/v1/tenant', { key: partnerTenant.apiKey.secret, headers: { Origin: PARTNER } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(PARTNER);
    expect(response.headers.get('access-control-expose-headers')!.split(', ')).toEqual(
      expect.arrayContaining(['RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Location', 'Content-Disposition']),
    );
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  test('another origin gets no grant', async () => {
    const response = await api('/v1/tenant', { key: partnerTenant.apiKey.secret, headers: { Origin: STRANGER } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  test("another tenant's credential gets no grant for that origin", async () => {
    const response = await api('/v1/tenant', { key: otherTenant.apiKey.secret, headers: { Origin: PARTNER } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('without valid credentials there is no tenant, so no grant', async () => {
    const response = await api('/v1/tenant', { key: `sck_${'D'.repeat(32)}`, headers: { Origin: PARTNER } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers', () => {
  test('an API response is not cacheable, not sniffable, not frameable, HTTPS only, sends no referrer', async () => {
    const { apiKey } = await createTenant();
    const response = await api('/v1/tenant', { key: apiKey.secret });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('errors are not cacheable either; a route that sets its own Cache-Control keeps it', async () => {
    expect((await api('/v1/nothing-here')).headers.get('cache-control')).toBe('no-store');
    const jwks = await api('/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toMatch(/^public/);
  });

  test('/docs loads scripts from this origin and by nonce only; JSON answers need no more than frame-ancestors', async () => {
    const response = await api('/docs');
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy')!;
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/connect-src 'self'/);
    expect(await response.text()).toContain(`<script src="/docs/scalar.js" nonce="${nonce}">`);
    const script = await api('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await api('/health')).headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });
});
