import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { createTenant, problemOf, roundTrips } from './helpers.ts';

/** The worker's own bindings, against the shared database and endpoint. */
function bindings(vars: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: inject('databaseUrl'),
    LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
    OPERATOR_TOKEN: inject('operatorToken'),
    JWT_SIGNING_KEYS: inject('signingKeys'),
    ...vars,
  };
}

/** `"default";r=2;t=3581` → { r: 2, t: 3581 } */
function remainingOf(response: Response): { r: number; t: number } {
  const match = /^"default";r=(\d+);t=(\d+)$/.exec(response.headers.get('ratelimit') ?? '');
  if (!match) throw new Error(`no RateLimit header: ${response.headers.get('ratelimit')}`);
  return { r: Number(match[1]), t: Number(match[2]) };
}

describe('local mode: an exact count per credential', () => {
  // An hour-long window, so the few requests here never straddle a window boundary.
  const WINDOW = 3600;
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(
      bindings({ RATE_LIMIT_MODE: 'local', RATE_LIMIT_PER_WINDOW: '3', RATE_LIMIT_WINDOW_SECONDS: String(WINDOW) }),
      { script: inject('workerScript') },
    );
  });
  afterAll(() => worker.dispose());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${worker.url}${path}`, { headers });

  test('every response counts down; over the limit is 429 with Retry-After, refused before any database work', async () => {
    const { apiKey } = await createTenant();
    const auth = { Authorization: `Bearer ${apiKey.secret}` };
    for (const expected of [2, 1, 0]) {
      const response = await get('/v1/tenant', auth);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe(`"default";q=3;w=${WINDOW}`);
      const { r, t } = remainingOf(response);
      expect(r).toBe(expected);
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(WINDOW);
    }

    const before = await roundTrips();
    const refused = await get('/v1/tenant', auth);
    expect(await roundTrips()).toBe(before);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"default";q=3;w=${WINDOW}`);
    const { r, t } = remainingOf(refused);
    expect(r).toBe(0);
    expect(refused.headers.get('retry-after')).toBe(String(t));
    expect((await problemOf(refused)).type).toBe('https://service-culture.dev/problems/too-many-requests');
  });

  test('another credential has its own bucket, and error responses carry the headers too', async () => {
    const a = `Bearer sck_${'A'.repeat(32)}`;
    const b = `Bearer sck_${'B'.repeat(32)}`;
    for (let i = 0; i < 3; i++) expect((await get('/v1/tenant', { Authorization: a })).status).toBe(401);
    expect((await get('/v1/tenant', { Authorization: a })).status).toBe(429);
    const other = await get('/v1/tenant', { Authorization: b });
    expect(other.status).toBe(401);
    expect(remainingOf(other).r).toBe(2);
  });

  test('without credentials the bucket is the client IP', async () => {
    const from = (ip: string) => get('/v1/nothing-here', { 'CF-Connecting-IP': ip });
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).toBe(404);
    expect((await from('203.0.113.7')).status).toBe(429);
    expect(remainingOf(await from('203.0.113.8')).r).toBe(2);
  });

  test('the token endpoint is limited too; /health is not', async () => {
    const token = await fetch(`${worker.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'CF-Connecting-IP': '198.51.100.1' },
      body: 'grant_type=client_credentials',
    });
    expect(remainingOf(token).r).toBe(2);
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('ratelimit')).toBeNull();
  });
});

describe('production mode: the Rate Limiting binding (Miniflare simulates it)', () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(bindings(), { script: inject('workerScript') });
  });
  afterAll(() => worker.dispose());

  test("headers state wrangler.toml's quota and this isolate's estimate of what is left", async () => {
    const headers = { Authorization: `Bearer sck_${'C'.repeat(32)}` };
    const first = await fetch(`${worker.url}/v1/tenant`, { headers });
    const second = await fetch(`${worker.url}/v1/tenant`, { headers });
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=600;w=60');
    const [a, b] = [remainingOf(first), remainingOf(second)];
    // A window may turn between the two requests: then the count starts again.
    expect([599, 598]).toContain(a.r);
    expect(b.r === a.r - 1 || b.r === 599).toBe(true);
    expect(a.t).toBeLessThanOrEqual(60);
  });
});

describe('failed authentications per client address (issue 14)', () => {
  // The default quota (600 requests, so 20 failures) over an hour, so no window turns mid-test.
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(bindings({ RATE_LIMIT_MODE: 'local', RATE_LIMIT_WINDOW_SECONDS: '3600' }), { script: inject('workerScript') });
  });
  afterAll(() => worker.dispose());

  const as = (ip: string, key: string) => fetch(`${worker.url}/v1/tenant`, { headers: { Authorization: `Bearer ${key}`, 'CF-Connecting-IP': ip } });
  const madeUp = (i: number) => `sck_${i.toString(36).padStart(32, 'x')}`;

  test('700 made-up keys from one address: 429 after 20 failures, not 700 × 401; other addresses are unaffected', async () => {
    const { apiKey } = await createTenant();
    const statuses: number[] = [];
    for (let i = 0; i < 700; i++) statuses.push((await as('203.0.113.50', madeUp(i))).status);
    const unauthorized = statuses.filter((status) => status === 401).length;
    console.log(`700 made-up keys from one address: ${unauthorized} × 401, then ${statuses.filter((s) => s === 429).length} × 429`);
    expect(unauthorized).toBeLessThanOrEqual(21);
    expect(statuses.slice(21).every((status) => status === 429)).toBe(true);
    // Refused before any database work, with a valid key too, and saying why.
    const before = await roundTrips();
    const refused = await as('203.0.113.50', apiKey.secret);
    expect(await roundTrips()).toBe(before);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(refused)).detail).toMatch(/failed authentications/);
    // Another address still authenticates and fails as usual.
    expect((await as('203.0.113.51', apiKey.secret)).status).toBe(200);
    expect((await as('203.0.113.51', madeUp(0))).status).toBe(401);
  }, 180_000);
});
