/**
 * Database round trips (HTTP requests to the local Neon endpoint) that one API request costs. Issue 15:
 * the credential check, the scope check, the tenant context and the work go in one transaction, so
 * every tenant operation of the OpenAPI document costs one; the walk takes the operations from the
 * document itself, so a new one without an entry here fails.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import {
  accessToken,
  api,
  type CreatedTenant,
  createPartnerClient,
  createTenant,
  createUnit,
  endpointStats,
  externalRating,
  internalRating,
  internalWriterKey,
  issueApiKey,
  operatorToken,
  ownerPool,
  problemOf,
  roundTrips,
  until,
} from './helpers.ts';
import { monthStart } from '../lib/internal-seed.ts';
import { uuidv7 } from '../../worker/domain/ids.ts';

const owner = ownerPool();
/** Every tenant this file creates has a larger id (uuid v7): what came before is other files' background work. */
const FIRST_TENANT = uuidv7();
const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

/**
 * The round-trip count once background work of earlier requests has settled: unchanged for `quietMs`.
 * Without it, creating a tenant once counted the Queue consumer's delivery of the redelivery test before.
 */
async function settledTrips(quietMs = 250): Promise<number> {
  let last = await roundTrips();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await roundTrips();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Round trips and status of one request, its body read to the end (a CSV export pages as it streams). */
async function cost(request: () => Promise<Response>): Promise<{ status: number; trips: number }> {
  const before = await settledTrips();
  const response = await request();
  await response.arrayBuffer();
  const { roundTrips: after, recentRequests } = await endpointStats();
  // Another file's webhook retries (Queue delays of seconds to minutes) can land in any count: the delivery
  // machinery's claims, and trips in a tenant older than this file (tenant ids are time-ordered), are not this request's.
  const foreign = recentRequests.slice(Math.max(0, recentRequests.length - (after - before))).filter((entry) => entry.includes('claim_webhook_deliveries(') || (/\[tenant ([0-9a-f-]+)\]$/.exec(entry)?.[1] ?? '~') < FIRST_TENANT);
  const trips = after - before - foreign.length;
  // Should a count be off, whose trips they were: the endpoint's last requests, newest last.
  onTestFailed(() => console.log(`${trips} trips:\n${recentRequests.slice(Math.max(0, recentRequests.length - (after - before))).join('\n')}`));
  return { status: response.status, trips };
}

const server = http.createServer((request, response) => request.resume().on('end', () => response.writeHead(204).end()));
let hook: string;
let tenant: CreatedTenant;
let unit: string;
let writer: string;
const admin = (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { key: tenant.apiKey.secret, ...init });
const idOf = async (response: Response) => ((await response.json()) as { id: string }).id;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  tenant = await createTenant({ name: 'Round trips' });
  unit = (await createUnit(tenant.apiKey.secret)).id;
  writer = await internalWriterKey(tenant.apiKey.secret);
  await admin('/v1/external-ratings', { method: 'POST', json: externalRating(unit, { customerRef: 'trips-1' }) });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const webhookEndpoint = async () => idOf(await admin('/v1/webhook-endpoints', { method: 'POST', json: { url: hook, eventTypes: ['api_key.revoked'] } }));
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;

/**
 * A valid request of each tenant operation: `prepare` makes what it needs (not counted), `send` is the
 * request counted. Benchmarks answer 404 here (no snapshot yet): still one round trip to know it.
 */
const OPERATIONS: Record<string, { prepare?: () => Promise<string>; send: (id: string) => Promise<Response> }> = {
  getTenant: { send: () => admin('/v1/tenant') },
  updateTenant: { send: () => admin('/v1/tenant', { method: 'PATCH', json: { industry: 'retail', benchmarkOptIn: true } }) },
  createApiKey: { send: () => admin('/v1/api-keys', { method: 'POST', json: { name: 'Trips', scopes: ['ratings:read'] } }) },
  listApiKeys: { send: () => admin('/v1/api-keys') },
  getApiKey: { send: () => admin(`/v1/api-keys/${tenant.apiKey.id}`) },
  revokeApiKey: { prepare: async () => (await issueApiKey(tenant.apiKey.secret)).id, send: (id) => admin(`/v1/api-keys/${id}`, { method: 'DELETE' }) },
  rotateApiKey: {
    prepare: async () => (await issueApiKey(tenant.apiKey.secret)).id,
    send: (id) => admin(`/v1/api-keys/${id}/rotate`, { method: 'POST', json: {} }),
  },
  createPartnerClient: { send: () => admin('/v1/partner-clients', { method: 'POST', json: { name: 'Trips', scopes: ['reports:read'] } }) },
  listPartnerClients: { send: () => admin('/v1/partner-clients') },
  getPartnerClient: { prepare: async () => (await createPartnerClient(tenant.apiKey.secret)).id, send: (id) => admin(`/v1/partner-clients/${id}`) },
  revokePartnerClient: {
    prepare: async () => (await createPartnerClient(tenant.apiKey.secret)).id,
    send: (id) => admin(`/v1/partner-clients/${id}`, { method: 'DELETE' }),
  },
  listAuditEvents: { send: () => admin('/v1/audit-events') },
  createExternalRating: { send: () => admin('/v1/external-ratings', { method: 'POST', json: externalRating(unit) }) },
  listExternalRatings: { send: () => admin('/v1/external-ratings') },
  eraseExternalRatings: { send: () => admin('/v1/external-ratings?customerRef=trips-1', { method: 'DELETE' }) },
  createExternalRatingBatch: { send: () => admin('/v1/external-ratings/batch', { method: 'POST', json: { items: [externalRating(unit), externalRating(unit)] } }) },
  exportExternalRatings: { send: () => admin('/v1/external-ratings/export.csv') },
  getExternalRating: {
    prepare: async () => idOf(await admin('/v1/external-ratings', { method: 'POST', json: externalRating(unit) })),
    send: (id) => admin(`/v1/external-ratings/${id}`),
  },
  createInternalRating: { send: () => api('/v1/internal-ratings', { method: 'POST', key: writer, json: internalRating(unit) }) },
  createInternalRatingBatch: {
    send: () => api('/v1/internal-ratings/batch', { method: 'POST', key: writer, json: { items: [internalRating(unit), internalRating(unit)] } }),
  },
  createUnit: { send: () => admin('/v1/units', { method: 'POST', json: { name: 'Trips unit', kind: 'touchpoint' } }) },
  listUnits: { send: () => admin('/v1/units') },
  getUnit: { send: () => admin(`/v1/units/${unit}`) },
  updateUnit: { prepare: async () => (await createUnit(tenant.apiKey.secret)).id, send: (id) => admin(`/v1/units/${id}`, { method: 'PATCH', json: { name: 'Renamed' } }) },
  deleteUnit: { prepare: async () => (await createUnit(tenant.apiKey.secret)).id, send: (id) => admin(`/v1/units/${id}`, { method: 'DELETE' }) },
  getBenchmark: { send: () => admin('/v1/benchmarks?measure=csat&cohort=industry') },
  getBenchmarkChart: { send: () => admin('/v1/benchmarks/chart.svg?measure=csat') },
  listBenchmarkSnapshots: { send: () => admin('/v1/benchmarks/snapshots') },
  getKeyDrivers: { send: () => admin(`/v1/key-drivers?${PERIOD}`) },
  getRespondentKeyDrivers: { send: () => admin(`/v1/key-drivers/respondents?${PERIOD}`) },
  getHeatmap: { send: () => admin(`/v1/heatmap?${PERIOD}`) },
  getHeatmapChart: { send: () => admin(`/v1/heatmap/chart.svg?${PERIOD}`) },
  putTargets: { send: () => admin('/v1/targets', { method: 'PUT', json: { targets: [{ measure: 'csat', target: 0.8 }] } }) },
  listTargets: { send: () => admin('/v1/targets') },
  getScorecard: { send: () => admin(`/v1/scorecard?${PERIOD}`) },
  getDiagnostics: { send: () => admin(`/v1/diagnostics?${PERIOD}`) },
  createWebhookEndpoint: { send: () => admin('/v1/webhook-endpoints', { method: 'POST', json: { url: hook, eventTypes: ['api_key.revoked'] } }) },
  listWebhookEndpoints: { send: () => admin('/v1/webhook-endpoints') },
  getWebhookEndpoint: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}`) },
  deleteWebhookEndpoint: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}`, { method: 'DELETE' }) },
  updateWebhookEndpoint: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', json: { status: 'disabled' } }) },
  rotateWebhookSecret: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}/rotate-secret`, { method: 'POST', json: {} }) },
  listWebhookAttempts: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}/deliveries`) },
  testWebhookEndpoint: { prepare: webhookEndpoint, send: (id) => admin(`/v1/webhook-endpoints/${id}/test`, { method: 'POST' }) },
  redeliverWebhook: {
    prepare: async () => {
      const id = await webhookEndpoint();
      const { deliveryId } = (await (await admin(`/v1/webhook-endpoints/${id}/test`, { method: 'POST' })).json()) as { deliveryId: string };
      await until(async () => (await owner.query("select 1 from webhook_deliveries where id = $1 and status <> 'pending'", [deliveryId])).rowCount! > 0, 'the test delivery to finish');
      return `${id}/deliveries/${deliveryId}`;
    },
    send: (path) => admin(`/v1/webhook-endpoints/${path}/redeliver`, { method: 'POST' }),
  },
};

/**
 * Operations that cost more than one, each with its count and why. `background`: the request queues a
 * webhook delivery and dispatches it at once after answering (waitUntil), whose round trips the
 * endpoint's counter cannot tell from the request's: the request's own count is a floor there.
 */
const MORE: Record<string, { trips: number; why: string; background?: true }> = {
  rotateApiKey: { trips: 2, why: "reads the old key, then writes: the response (kept for an Idempotency-Key) is known before the write" },
  rotateWebhookSecret: { trips: 2, why: 'reads the endpoint, then writes, as rotateApiKey' },
  testWebhookEndpoint: { trips: 1, why: 'one, then the dispatch', background: true },
  redeliverWebhook: { trips: 2, why: 'reads the endpoint (disabled is a 409 before any write), then writes; then the dispatch', background: true },
};

const tenantOperations: string[] = Object.values(document.paths as Record<string, Record<string, { operationId: string; security?: object[] }>>).flatMap(
  (operations) => Object.values(operations).flatMap((operation) => (JSON.stringify(operation.security ?? []).includes('"apiKey"') ? [operation.operationId] : [])),
);

test('every tenant operation of the document is walked here', () => {
  expect(tenantOperations.filter((id) => !(id in OPERATIONS)), 'tenant operations with no request here').toEqual([]);
  expect(Object.keys(OPERATIONS).filter((id) => !tenantOperations.includes(id)), 'gone from the document').toEqual([]);
});

describe.each(Object.entries(OPERATIONS))('%s', (operationId, { prepare, send }) => {
  const { trips: expected = 1, background = false } = MORE[operationId] ?? {};
  test(`costs ${expected} round trip${expected > 1 ? 's' : ''}${background ? ' and its dispatch' : ''}`, async () => {
    const id = prepare ? await prepare() : '';
    const { status, trips } = await cost(() => send(id));
    expect(status, operationId).toBeLessThan(operationId.startsWith('getBenchmark') ? 405 : 400);
    if (background) expect(trips, `${operationId} answered ${status}`).toBeGreaterThanOrEqual(expected);
    else expect(trips, `${operationId} answered ${status}`).toBe(expected);
    // The dispatch hands the delivery to the Queue, whose consumer takes batches every second (wrangler.toml):
    // its trips come later and are this test's, not the next one's.
    if (background) await settledTrips(1_500);
  });
});

describe('database round trips per request', () => {
  test('an access token read costs one too: the client check leads the batch', async () => {
    const { apiKey } = await createTenant();
    const client = await createPartnerClient(apiKey.secret, { scopes: ['reports:read'] });
    const token = await accessToken(client);
    expect(await cost(() => api('/v1/targets', { key: token }))).toEqual({ status: 200, trips: 1 });
    expect(await cost(() => api('/v1/tenant', { key: token }))).toEqual({ status: 200, trips: 1 });
  });

  test('creating a tenant with its key is one batch transaction', async () => {
    expect((await cost(() => api('/v1/tenants', { method: 'POST', key: operatorToken, json: { name: 'T', industry: 'retail', sizeBand: '1-49', region: 'ES' } }))).trips).toBe(1);
  });

  test('health costs none, readiness one, a malformed key none', async () => {
    expect(await cost(() => api('/health'))).toEqual({ status: 200, trips: 0 });
    expect(await cost(() => api('/ready'))).toEqual({ status: 200, trips: 1 });
    expect(await cost(() => api('/v1/tenant', { key: 'garbage' }))).toEqual({ status: 401, trips: 0 });
  });

  test('a request refused for its body still has its credential checked first, in one round trip', async () => {
    const { apiKey } = await createTenant();
    expect(await cost(() => api('/v1/units', { method: 'POST', key: apiKey.secret, json: { kind: 'nonsense' } }))).toEqual({ status: 422, trips: 1 });
  });
});

describe('refusals answer as before', () => {
  let victim: CreatedTenant;
  beforeAll(async () => {
    victim = await createTenant({ name: 'Refusals' });
  });

  /** A key of the right shape whose secret part is not the one issued: the ids it names are real. */
  const forged = (secret: string) => `sck_${'A'.repeat(32)}${secret.slice(36)}`;

  test.each([
    ['a forged secret for a real key', () => forged(victim.apiKey.secret), 'The API key is not valid.'],
    ['a key naming another tenant', async () => {
      const other = await createTenant();
      return `${victim.apiKey.secret.slice(0, 36)}${other.apiKey.secret.slice(36, 58)}${victim.apiKey.secret.slice(58)}`;
    }, 'The API key is not valid.'],
  ])('%s: 401 and the write never happens', async (_, key, detail) => {
    const token = await key();
    const before = await owner.query('select count(*)::int as n from units where tenant_id = $1', [victim.tenant.id]);
    const response = await api('/v1/units', { method: 'POST', key: token, json: { name: 'Smuggled', kind: 'touchpoint' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="service-culture", error="invalid_token"');
    expect((await problemOf(response)).detail).toBe(detail);
    const after = await owner.query('select count(*)::int as n from units where tenant_id = $1', [victim.tenant.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test('a revoked key: 401, the work rolled back, the use audited in a second round trip', async () => {
    const key = await issueApiKey(victim.apiKey.secret, { scopes: ['admin'] });
    await api(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: victim.apiKey.secret });
    const before = await roundTrips();
    const response = await api('/v1/units', { method: 'POST', key: key.secret, json: { name: 'After revocation', kind: 'touchpoint' } });
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toBe('The API key has been revoked.');
    expect((await roundTrips()) - before).toBe(2);
    const units = await owner.query("select 1 from units where tenant_id = $1 and name = 'After revocation'", [victim.tenant.id]);
    expect(units.rowCount).toBe(0);
    const audited = await owner.query(
      "select details from audit_events where action = 'credential.refused' and actor_id = $1 and request_id = $2",
      [key.id, response.headers.get('x-request-id')],
    );
    expect(audited.rows).toEqual([{ details: { reason: 'revoked' } }]);
  });

  test('an expired key: 401 in one round trip', async () => {
    const key = await issueApiKey(victim.apiKey.secret, { scopes: ['admin'] });
    await owner.query("update api_keys set expires_at = now() - interval '1 second' where id = $1", [key.id]);
    const before = await roundTrips();
    const response = await api('/v1/tenant', { key: key.secret });
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toBe('The API key has expired.');
    expect((await roundTrips()) - before).toBe(1);
  });

  test('a missing scope: 403 naming the scopes held, before any complaint about the body, and nothing written', async () => {
    const reader = await issueApiKey(victim.apiKey.secret, { scopes: ['ratings:read'] });
    const invalid = await api('/v1/units', { method: 'POST', key: reader.secret, json: { kind: 'nonsense' } });
    expect(invalid.status).toBe(403);
    expect((await problemOf(invalid)).detail).toBe("This operation needs the 'admin' scope; the credential has: ratings:read.");
    const valid = await api('/v1/units', { method: 'POST', key: reader.secret, json: { name: 'By a reader', kind: 'touchpoint' } });
    expect(valid.status).toBe(403);
    const units = await owner.query("select 1 from units where tenant_id = $1 and name = 'By a reader'", [victim.tenant.id]);
    expect(units.rowCount).toBe(0);
  });

  test("a revoked partner client's token: 401, audited", async () => {
    const client = await createPartnerClient(victim.apiKey.secret, { scopes: ['reports:read'] });
    const token = await accessToken(client);
    await api(`/v1/partner-clients/${client.id}`, { method: 'DELETE', key: victim.apiKey.secret });
    const response = await api('/v1/targets', { key: token });
    expect(response.status).toBe(401);
    expect((await problemOf(response)).detail).toBe('The partner client has been revoked.');
    const audited = await owner.query(
      "select 1 from audit_events where action = 'credential.refused' and actor_id = $1 and request_id = $2",
      [client.id, response.headers.get('x-request-id')],
    );
    expect(audited.rowCount).toBe(1);
  });
});
