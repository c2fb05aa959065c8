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
