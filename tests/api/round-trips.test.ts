import { describe, expect, test } from 'vitest';
import { api, createTenant, roundTrips } from './helpers.ts';

/** Database round trips (HTTP requests to the local Neon endpoint) that one API request costs. */
async function cost(request: () => Promise<Response>): Promise<{ status: number; trips: number }> {
  const before = await roundTrips();
  const response = await request();
  await response.arrayBuffer();
  return { status: response.status, trips: (await roundTrips()) - before };
}

describe('database round trips per request', () => {
  test('an authenticated read costs one (the key lookup returns the tenant)', async () => {
    const { apiKey } = await createTenant();
    expect(await cost(() => api('/v1/tenant', { key: apiKey.secret }))).toEqual({ status: 200, trips: 1 });
  });

  test('an authenticated write costs at most two: the key lookup, then one batch', async () => {
    const { apiKey } = await createTenant();
    const patch = await cost(() => api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { benchmarkOptIn: true } }));
    expect(patch.status).toBe(200);
    expect(patch.trips).toBeLessThanOrEqual(2);
  });

  test('creating a tenant with its key is one batch transaction', async () => {
    expect((await cost(() => createTenant().then(() => new Response(null, { status: 201 })))).trips).toBe(1);
  });

  test('health costs none, readiness one, a malformed key none', async () => {
    expect(await cost(() => api('/health'))).toEqual({ status: 200, trips: 0 });
    expect(await cost(() => api('/ready'))).toEqual({ status: 200, trips: 1 });
    expect(await cost(() => api('/v1/tenant', { key: 'garbage' }))).toEqual({ status: 401, trips: 0 });
  });
});
