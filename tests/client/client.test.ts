import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, createClient, retryAfterMs, unwrap } from '../../openapi/client/index.ts';
import { createPartnerClient, createTenant, type CreatedTenant, createUnit, type IssuedPartnerClient, workerUrl } from '../api/helpers.ts';

/** A fetch that records every request it passes on to the worker. */
function recordingFetch(respond: (request: Request, sent: Request[]) => Promise<Response> | Response = (r) => fetch(r)) {
  const sent: Request[] = [];
  return {
    sent,
    fetch: async (request: Request) => {
      sent.push(request.clone());
      return respond(request, sent);
    },
  };
}

let tenant: CreatedTenant;
let partner: IssuedPartnerClient;

beforeAll(async () => {
  tenant = await createTenant({ name: 'Client tests' });
  partner = await createPartnerClient(tenant.apiKey.secret, { scopes: ['admin'] });
});

describe('API key', () => {
  test('is sent as a bearer token; error answers become ApiError with the problem', async () => {
    const api = createClient({ baseUrl: workerUrl, apiKey: tenant.apiKey.secret });
    expect(unwrap(await api.GET('/v1/tenant')).name).toBe('Client tests');

    const stranger = createClient({ baseUrl: workerUrl, apiKey: 'sck_not-a-key' });
    await expect(stranger.GET('/v1/tenant').then(unwrap)).rejects.toMatchObject({ name: 'ApiError', status: 401 });
  });
});

describe('client credentials', () => {
  test('one token serves many requests and is renewed before it expires', async () => {
    let clock = Date.now();
    const recorder = recordingFetch();
    const api = createClient({ baseUrl: workerUrl, clientCredentials: partner, fetch: recorder.fetch, now: () => clock });
    const tokenRequests = () => recorder.sent.filter((r) => r.url.endsWith('/oauth/token')).length;

    unwrap(await api.GET('/v1/tenant'));
    unwrap(await api.GET('/v1/units'));
    expect(tokenRequests()).toBe(1);

    clock += 841_000; // 900 s tokens, renewed in their last 60 s
    unwrap(await api.GET('/v1/tenant'));
    expect(tokenRequests()).toBe(2);
    const bearers = recorder.sent.filter((r) => !r.url.endsWith('/oauth/token')).map((r) => r.headers.get('authorization'));
    expect(bearers[0]).toBe(bearers[1]);
    expect(bearers[2]).not.toBe(bearers[0]);
  });

  test('a token the API refuses (401) is replaced once and the request sent again', async () => {
    // The first token the client receives is one the API never issued.
    const recorder = recordingFetch(async (request, sent) => {
      const response = await fetch(request);
      if (request.url.endsWith('/oauth/token') && sent.filter((r) => r.url.endsWith('/oauth/token')).length === 1) {
        return Response.json({ ...((await response.json()) as object), access_token: 'forged' });
      }
      return response;
    });
    const api = createClient({ baseUrl: workerUrl, clientCredentials: partner, fetch: recorder.fetch });
    expect(unwrap(await api.GET('/v1/tenant')).name).toBe('Client tests');
    expect(recorder.sent.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.headers.get('authorization')?.slice(0, 13)}`)).toEqual([
      expect.stringMatching(/^POST \/oauth\/token Basic/),
      'GET /v1/tenant Bearer forged',
      expect.stringMatching(/^POST \/oauth\/token Basic/),
      expect.stringMatching(/^GET \/v1\/tenant Bearer eyJ/),
    ]);
  });

  test('wrong credentials are an ApiError with the OAuth error', async () => {
    const api = createClient({ baseUrl: workerUrl, clientCredentials: { clientId: partner.clientId, clientSecret: 'scs_wrong' } });
    await expect(api.GET('/v1/tenant')).rejects.toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });
});

describe('Idempotency-Key', () => {
  test('every POST gets one, unless the caller brought its own', async () => {
    const recorder = recordingFetch();
    const api = createClient({ baseUrl: workerUrl, apiKey: tenant.apiKey.secret, fetch: recorder.fetch });
    unwrap(await api.POST('/v1/units', { body: { name: 'Front desk', kind: 'touchpoint' } }));
    unwrap(await api.POST('/v1/units', { body: { name: 'Back office', kind: 'touchpoint' }, headers: { 'Idempotency-Key': 'mine-1' } }));
    unwrap(await api.GET('/v1/tenant'));
    const [generated, given, get] = recorder.sent.map((r) => r.headers.get('idempotency-key'));
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(given).toBe('mine-1');
    expect(get).toBeNull();
  });

  test('a retry sends the same key, so a write whose answer was lost is replayed, not repeated', async () => {
    // The worker writes the unit, but the caller sees a 503 (a proxy lost the answer).
    const recorder = recordingFetch(async (request, sent) => {
      const response = await fetch(request);
      return sent.length === 1 ? new Response('', { status: 503, headers: { 'Retry-After': '0' } }) : response;
    });
    const api = createClient({ baseUrl: workerUrl, apiKey: tenant.apiKey.secret, fetch: recorder.fetch });
    const { data, response } = await api.POST('/v1/units', { body: { name: 'Lost answer', kind: 'touchpoint' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    const keys = recorder.sent.map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const api2 = createClient({ baseUrl: workerUrl, apiKey: tenant.apiKey.secret });
    const named = [];
    for await (const unit of api2.paginate('/v1/units')) if (unit.name === 'Lost answer') named.push(unit.id);
    expect(named).toEqual([data!.id]);
  });
});

describe('paginate', () => {
  test('follows nextCursor across pages', async () => {
    const other = await createTenant({ name: 'Pagination' });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createUnit(other.apiKey.secret, { name: `Unit ${i}` })).id);
    const recorder = recordingFetch();
    const api = createClient({ baseUrl: workerUrl, apiKey: other.apiKey.secret, fetch: recorder.fetch });
    const seen = [];
    for await (const unit of api.paginate('/v1/units', { query: { limit: 2 } })) seen.push(unit.id);
    expect(seen.sort()).toEqual(ids.sort());
    expect(recorder.sent).toHaveLength(3);
    expect(new URL(recorder.sent[1]!.url).searchParams.get('cursor')).toBeTruthy();
  });

  test('an error answer throws', async () => {
    const api = createClient({ baseUrl: workerUrl, apiKey: tenant.apiKey.secret });
    const pages = api.paginate('/v1/units', { query: { limit: 1000 } });
    await expect(pages.next()).rejects.toBeInstanceOf(ApiError);
  });
});

describe('retries', () => {
  // A stub server: each request takes the next answer; the last one repeats.
  const answers: { status: number; headers?: Record<string, string> }[] = [];
  const arrivals: number[] = [];
  const server = createServer((request, response) => {
    arrivals.push(Date.now());
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    response.end(answer.status === 200 ? '{"status":"ok"}' : '{"title":"Busy","status":503}');
  });
  let stubUrl: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const reset = (...next: typeof answers) => {
    answers.splice(0, answers.length, ...next);
    arrivals.length = 0;
  };

  test('a 503 with Retry-After: 1 is sent again after a second', async () => {
    reset({ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 });
    const { data, response } = await createClient({ baseUrl: stubUrl }).GET('/health');
    expect(response.status).toBe(200);
    expect(data).toEqual({ status: 'ok' });
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  test('429 too; attempts are capped, and a wait longer than the cap is not made', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    reset({ status: 429, headers: { 'Retry-After': '2' } });
    const capped = await createClient({ baseUrl: stubUrl, sleep, retry: { maxAttempts: 3 } }).GET('/health');
    expect(capped.response.status).toBe(429);
    expect(arrivals).toHaveLength(3);
    expect(waits).toEqual([2000, 2000]);

    reset({ status: 503, headers: { 'Retry-After': '120' } });
    const tooLong = await createClient({ baseUrl: stubUrl, sleep, retry: { maxDelaySeconds: 60 } }).GET('/health');
    expect(tooLong.response.status).toBe(503);
    expect(arrivals).toHaveLength(1);
  });

  test('Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-23T21:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 23 Nov 2026 21:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 23 Nov 2026 20:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
