/**
 * Issue 8, webhooks, through the worker in workerd: endpoints, the outbox filled in the batch of the
 * change, delivery by the per-minute cron (time driven with `/cdn-cgi/handler/scheduled?time=`),
 * Standard Webhooks signatures checked by the `standardwebhooks` library, retries with backoff,
 * disabling after 24 hours of failures, and the SSRF refusals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { noiseKey } from '../../worker/domain/benchmark-noise.ts';
import { publishedValues } from '../../worker/domain/benchmarks.ts';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  issueApiKey,
  listAll,
  operatorToken,
  ownerPool,
  problemOf,
  runBenchmarkJob,
  until,
} from './helpers.ts';

const owner = ownerPool();
const WEBHOOK_CRON = '* * * * *';
const HOUR = 3_600_000;

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [204]) {
  const requests: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
      response.writeHead(status, status >= 300 && status < 400 ? { Location: 'http://169.254.169.254/' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  status: 'enabled' | 'disabled';
  failingSince: string | null;
  disabledAt: string | null;
  createdAt: string;
  secret?: string | null;
}

async function createEndpoint(key: string, url: string, eventTypes: string[]): Promise<Endpoint & { secret: string }> {
  const response = await api('/v1/webhook-endpoints', { method: 'POST', key, json: { url, eventTypes } });
  if (response.status !== 201) throw new Error(`createEndpoint: ${response.status} ${await response.text()}`);
  return (await response.json()) as Endpoint & { secret: string };
}

/** Fires the delivery cron as if at `time` (ms). */
async function runDeliveries(time = Date.now()): Promise<void> {
  const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(WEBHOOK_CRON)}&time=${time}`);
  expect(response.status).toBe(200);
}

/** Waits until `check` holds (the cron's waitUntil work may end after its response). */
interface DeliveryRow {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
}

async function deliveriesOf(endpointId: string): Promise<DeliveryRow[]> {
  const { rows } = await owner.query<DeliveryRow>(
    'select id, event_id, status, attempts, next_attempt_at from webhook_deliveries where endpoint_id = $1 order by created_at',
    [endpointId],
  );
  return rows;
}

/** Runs the cron at `time` and waits until the endpoint's delivery has recorded attempt number `attempts`. */
async function attemptAt(endpointId: string, time: number, attempts: number): Promise<DeliveryRow> {
  await runDeliveries(time);
  return until(async () => (await deliveriesOf(endpointId)).find((row) => row.attempts >= attempts), `attempt ${attempts}`);
}

/** Waits, firing no cron, for the endpoint's first attempt: a write that emits an event dispatches it itself. */
async function firstAttempt(endpointId: string): Promise<DeliveryRow> {
  return until(async () => (await deliveriesOf(endpointId)).find((row) => row.attempts >= 1), 'the first attempt, dispatched by the write', 5_000);
}

interface Attempt {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  delivery: { status: string; attempts: number };
}

describe('webhook endpoints', () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await createTenant({ name: 'Webhook CRUD' });
  });

  test('create shows the whsec_ secret once; get, list and delete are audited and never show it', async () => {
    const created = await api('/v1/webhook-endpoints', {
      method: 'POST',
      key: tenant.apiKey.secret,
      headers: { 'Idempotency-Key': 'webhook-crud-1' },
      json: { url: 'https://hooks.example.com/sc', eventTypes: ['api_key.revoked'] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const endpoint = (await created.json()) as Endpoint;
    expect(created.headers.get('location')).toBe(`/v1/webhook-endpoints/${endpoint.id}`);
    expect(endpoint).toMatchObject({ url: 'https://hooks.example.com/sc', eventTypes: ['api_key.revoked'], status: 'enabled', failingSince: null, disabledAt: null });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const replay = await api('/v1/webhook-endpoints', {
      method: 'POST',
      key: tenant.apiKey.secret,
      headers: { 'Idempotency-Key': 'webhook-crud-1' },
      json: { url: 'https://hooks.example.com/sc', eventTypes: ['api_key.revoked'] },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ ...endpoint, secret: null });

    const one = await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret });
    const { secret: _secret, ...withoutSecret } = endpoint;
    expect(await one.json()).toEqual(withoutSecret);
    const all = await listAll<Endpoint>('/v1/webhook-endpoints', tenant.apiKey.secret, 1);
    expect(all.map((e) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(all)).not.toContain('whsec_');
    // At rest the secret is encrypted, not stored as shown.
    const { rows } = await owner.query('select secret_ciphertext from webhook_endpoints where id = $1', [endpoint.id]);
    expect(rows[0].secret_ciphertext).toMatch(/^v1\./);
    expect(rows[0].secret_ciphertext).not.toContain(endpoint.secret!.slice(6));

    expect((await api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', key: tenant.apiKey.secret })).status).toBe(204);
    expect((await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).status).toBe(404);
    expect((await api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', key: tenant.apiKey.secret })).status).toBe(404);
    const audit = await api('/v1/audit-events?action=webhook_endpoint.created,webhook_endpoint.deleted', { key: tenant.apiKey.secret });
    const events = ((await audit.json()) as { data: { action: string; targetId: string }[] }).data;
    expect(events.filter((e) => e.targetId === endpoint.id).map((e) => e.action)).toEqual(['webhook_endpoint.deleted', 'webhook_endpoint.created']);
  });

  test('needs the admin scope', async () => {
    const reader = await issueApiKey(tenant.apiKey.secret, { scopes: ['reports:read'] });
    const response = await api('/v1/webhook-endpoints', { key: reader.secret });
    expect(response.status).toBe(403);
    await problemOf(response);
  });

  test.each([
    'http://hooks.example.com/',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.8/hook',
    'https://0x0a000001/',
    'https://[::ffff:10.0.0.1]/',
    'https://[fd00:ec2::254]/',
    'https://metadata.google.internal/',
    'https://printer.local:8443/',
    'https://user:pw@hooks.example.com/',
    'https://hooks.example.com:22/',
  ])('refuses %s as 422 problem+json (SSRF)', async (url) => {
    const response = await api('/v1/webhook-endpoints', { method: 'POST', key: tenant.apiKey.secret, json: { url, eventTypes: ['api_key.revoked'] } });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/url' })]);
  });

  test('validates the body: event types known, at least one, each once; a URL of bounded length', async () => {
    for (const body of [
      { url: 'https://hooks.example.com/', eventTypes: [] },
      { url: 'https://hooks.example.com/', eventTypes: ['rating.created'] },
      { url: 'https://hooks.example.com/', eventTypes: ['api_key.revoked', 'api_key.revoked'] },
      { url: `https://hooks.example.com/${'a'.repeat(2100)}`, eventTypes: ['api_key.revoked'] },
    ]) {
      const response = await api('/v1/webhook-endpoints', { method: 'POST', key: tenant.apiKey.secret, json: body });
      expect(response.status).toBe(422);
    }
  });

  test("another tenant's endpoint is a 404, on every route", async () => {
    const endpoint = await createEndpoint(tenant.apiKey.secret, 'https://hooks.example.com/other', ['api_key.revoked']);
    const intruder = await createTenant({ name: 'Webhook intruder' });
    for (const [method, path] of [
      ['GET', `/v1/webhook-endpoints/${endpoint.id}`],
      ['GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`],
      ['DELETE', `/v1/webhook-endpoints/${endpoint.id}`],
    ] as const) {
      const response = await api(path, { method, key: intruder.apiKey.secret });
      expect(response.status).toBe(404);
      await problemOf(response);
    }
    expect((await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).status).toBe(200);
  });
});

describe('production rules (no WEBHOOK_ALLOW_LOOPBACK)', () => {
  let worker: RunningWorker;
  let tenant: CreatedTenant;
  beforeAll(async () => {
    const vars = { DATABASE_URL: inject('databaseUrl'), LOCAL_NEON_ENDPOINT: inject('endpointUrl'), OPERATOR_TOKEN: operatorToken, JWT_SIGNING_KEYS: inject('signingKeys') };
    worker = await startWorker({ ...vars, HASH_SECRET: 'production-rules', RATE_LIMIT_MODE: 'local' }, { script: inject('workerScript') });
    tenant = await createTenant({ name: 'Webhook production rules' });
  });
  afterAll(() => worker.dispose());

  test.each(['http://127.0.0.1:8080/hook', 'https://127.0.0.1/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://[::1]/', 'https://localhost/', 'https://api.localhost/'])(
    'refuses loopback %s',
    async (url) => {
      const response = await fetch(`${worker.url}/v1/webhook-endpoints`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.apiKey.secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url, eventTypes: ['api_key.revoked'] }),
      });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    },
  );
});

describe('benchmark.snapshot.published (issue 8 done-when)', () => {
  const now = new Date();
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  const inLastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12)).toISOString();
  const peers: CreatedTenant[] = [];

  beforeAll(async () => {
    // Five tenants in a region no other file uses, so their cohort is published (≥ 5 organizations).
    for (const satisfied of [12, 18, 21, 24, 27]) {
      const created = await createTenant({ name: `Webhook bench ${satisfied}`, region: 'LU', industry: 'utilities', benchmarkOptIn: true });
      const unit = await createUnit(created.apiKey.secret);
      await createExternalRatings(
        created.apiKey.secret,
        Array.from({ length: 30 }, (_, i) => externalRating(unit.id, { occurredAt: inLastMonth, overall: i < satisfied ? 4 : 3 })),
      );
      peers.push(created);
    }
  }, 60_000);

  test('a receiver gets the signed event after the job runs, verifies it, and sees only its own tenant', async () => {
    const hook = await receiver([200]);
    const subscriber = peers[2]!;
    const endpoint = await createEndpoint(subscriber.apiKey.secret, hook.url, ['benchmark.snapshot.published']);
    // Another peer subscribed to something else gets nothing.
    const other = await receiver([200]);
    await createEndpoint(peers[0]!.apiKey.secret, other.url, ['api_key.revoked']);

    expect(await runBenchmarkJob({ at })).toMatchObject({ status: 'succeeded' });
    await runDeliveries();
    const month = await until(async () => hook.requests.find((r) => JSON.parse(r.body).data.period.kind === 'month'), 'the month event');

    expect(month.headers['content-type']).toBe('application/json');
    const payload = new Webhook(endpoint.secret).verify(month.body, month.headers) as {
      type: string;
      timestamp: string;
      data: { snapshotId: string; period: { kind: string; start: string }; cohorts: Record<string, string>; positions: { measure: string; cohortKind: string; value: number; percentileRank: number }[] };
    };
    expect(payload.type).toBe('benchmark.snapshot.published');
    expect(payload.data.period).toMatchObject({ kind: 'month', start: monthStart });
    expect(payload.data.cohorts).toMatchObject({ region: 'LU', industry: 'utilities' });
    const csat = payload.data.positions.find((p) => p.measure === 'csat' && p.cohortKind === 'region')!;
    expect(csat.value).toBeCloseTo(21 / 30, 9);
    // Its true 21/30 among the other four's perturbed csat (worker/domain/benchmark-noise.ts), itself counted as ½.
    const key = await noiseKey(inject('hashSecret'));
    const others = await Promise.all(
      peers.filter((p) => p !== subscriber).map(async (p, i) => (await publishedValues(key, { kind: 'month', start: monthStart }, p.tenant.id, { csat: [12, 18, 24, 27][i]! / 30 })).csat!),
    );
    expect(csat.percentileRank).toBeCloseTo(((others.filter((v) => v < 21 / 30).length + 0.5) / 5) * 100, 9);
    for (const peer of peers.filter((p) => p !== subscriber)) expect(month.body).not.toContain(peer.tenant.id);
    expect(month.body).not.toContain(subscriber.tenant.id);
    expect(other.requests).toEqual([]);

    const { rows } = await owner.query('select id, tenant_id from webhook_events where id = $1', [month.headers['webhook-id']]);
    expect(rows).toEqual([{ id: month.headers['webhook-id'], tenant_id: subscriber.tenant.id }]);
    const attempts = await listAll<Attempt>(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, subscriber.apiKey.secret);
    expect(attempts.find((a) => a.eventId === month.headers['webhook-id'])).toMatchObject({
      eventType: 'benchmark.snapshot.published',
      statusCode: 200,
      error: null,
      delivery: { status: 'succeeded', attempts: 1 },
    });
    // Delivered once: a later run sends nothing again.
    const count = hook.requests.length;
    await runDeliveries();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.requests).toHaveLength(count);
  });
});

describe('delivery with retries', () => {
  test('api_key.revoked is delivered after a redirect and a 500 are retried with the same webhook-id; the streak then ends', async () => {
    const tenant = await createTenant({ name: 'Webhook recovering' });
    const hook = await receiver([302, 500, 204]);
    const endpoint = await createEndpoint(tenant.apiKey.secret, hook.url, ['api_key.revoked']);
    const key = await issueApiKey(tenant.apiKey.secret, { name: 'To revoke' });
    const revokedAt = Date.now();
    expect((await api(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: tenant.apiKey.secret })).status).toBe(200);
    // Revoking again changes nothing and emits nothing.
    expect((await api(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: tenant.apiKey.secret })).status).toBe(200);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);

    // The revocation dispatched its delivery onto the Queue at once: the first attempt needs no cron.
    let row = await firstAttempt(endpoint.id);
    expect(row.status).toBe('pending');
    const failing = (await (await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).json()) as Endpoint;
    expect(Date.parse(failing.failingSince!)).toBeGreaterThanOrEqual(revokedAt);
    expect(Date.parse(failing.failingSince!)).toBeLessThanOrEqual(Date.now());
    row = await attemptAt(endpoint.id, row.next_attempt_at!.getTime(), 2);
    row = await attemptAt(endpoint.id, row.next_attempt_at!.getTime(), 3);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 3 });

    expect(hook.requests).toHaveLength(3);
    const ids = new Set(hook.requests.map((r) => r.headers['webhook-id']));
    expect(ids).toEqual(new Set([row.event_id]));
    const payload = new Webhook(endpoint.secret).verify(hook.requests[2]!.body, hook.requests[2]!.headers) as { type: string; data: { apiKey: { id: string; name: string } } };
    expect(payload).toMatchObject({ type: 'api_key.revoked', data: { apiKey: { id: key.id, name: 'To revoke' } } });

    const attempts = await listAll<Attempt>(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, tenant.apiKey.secret);
    expect(attempts.map((a) => a.statusCode)).toEqual([204, 500, 302]);
    expect(attempts.map((a) => a.error)).toEqual([null, 'HTTP 500', 'HTTP 302']);
    const after = (await (await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).json()) as Endpoint;
    expect(after).toMatchObject({ status: 'enabled', failingSince: null });
  });

  test('an event no enabled endpoint subscribes to is not written to the outbox', async () => {
    const tenant = await createTenant({ name: 'Webhook unsubscribed' });
    await createEndpoint(tenant.apiKey.secret, 'https://hooks.example.com/targets-only', ['scorecard.target.crossed']);
    const key = await issueApiKey(tenant.apiKey.secret);
    expect((await api(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: tenant.apiKey.secret })).status).toBe(200);
    expect((await owner.query('select 1 from webhook_events where tenant_id = $1', [tenant.tenant.id])).rowCount).toBe(0);
  });

  test('a failing receiver sees retries with growing gaps; after 24 hours of failures the endpoint is disabled and audited', async () => {
    const tenant = await createTenant({ name: 'Webhook failing' });
    const hook = await receiver([500]);
    const endpoint = await createEndpoint(tenant.apiKey.secret, hook.url, ['api_key.revoked']);
    const key = await issueApiKey(tenant.apiKey.secret);
    await api(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: tenant.apiKey.secret });

    // The first attempt follows the revocation at once; its time starts the streak.
    let row = await firstAttempt(endpoint.id);
    const t0 = Date.parse(((await (await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).json()) as Endpoint).failingSince!);
    const times = [t0];
    for (let attempt = 2; attempt <= 8; attempt++) {
      expect(row.status).toBe('pending');
      const next = row.next_attempt_at!.getTime();
      // Not due a moment before: a run then sends nothing.
      await runDeliveries(next - 1000);
      times.push(next);
      row = await attemptAt(endpoint.id, next, attempt);
    }
    expect(hook.requests).toHaveLength(8);
    const gaps = times.slice(1).map((time, i) => (time - times[i]!) / 1000);
    const schedule = [5, 300, 1800, 7200, 18000, 36000, 36000];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(schedule[i]!);
      expect(gap).toBeLessThanOrEqual(schedule[i]! * 1.1 + 1);
    });
    for (let i = 1; i < 6; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]!);
    expect(new Set(hook.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of hook.requests) expect(() => new Webhook(endpoint.secret).verify(request.body, request.headers)).not.toThrow();

    // The eighth attempt came more than 24 hours after the first failure: disabled, delivery abandoned.
    expect(times.at(-1)! - t0).toBeGreaterThan(24 * HOUR);
    expect(row.status).toBe('abandoned');
    const disabled = (await (await api(`/v1/webhook-endpoints/${endpoint.id}`, { key: tenant.apiKey.secret })).json()) as Endpoint;
    expect(disabled).toMatchObject({ status: 'disabled', failingSince: new Date(t0).toISOString(), disabledAt: new Date(times.at(-1)!).toISOString() });
    const audit = await api('/v1/audit-events?action=webhook_endpoint.disabled', { key: tenant.apiKey.secret });
    const [event] = ((await audit.json()) as { data: { targetId: string; actor: { type: string }; details: Record<string, unknown> }[] }).data;
    expect(event).toMatchObject({ targetId: endpoint.id, actor: { type: 'system' }, details: { url: hook.url } });

    // A disabled endpoint gets no new events.
    const another = await issueApiKey(tenant.apiKey.secret);
    await api(`/v1/api-keys/${another.id}`, { method: 'DELETE', key: tenant.apiKey.secret });
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    const attempts = await listAll<Attempt>(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, tenant.apiKey.secret, 3);
    expect(attempts).toHaveLength(8);
    expect(attempts.every((a) => a.statusCode === 500 && a.delivery.status === 'abandoned' && a.delivery.attempts === 8)).toBe(true);
  });
});

describe('scorecard.target.crossed (daily evaluation)', () => {
  const DAILY_CRON = '15 2 * * *';

  async function evaluate(tenantId: string, previous: Date | null): Promise<void> {
    const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(DAILY_CRON)}&time=${Date.now()}`);
    expect(response.status).toBe(200);
    await until(async () => {
      const { rows } = await owner.query('select evaluated_at from targets where tenant_id = $1 and measure = $2', [tenantId, 'csat']);
      return rows[0]?.evaluated_at && (previous === null || rows[0].evaluated_at > previous) ? true : undefined;
    }, 'the evaluation', 60_000);
  }

  const crossedEvents = async (tenantId: string) =>
    (await owner.query("select id, data from webhook_events where tenant_id = $1 and type = 'scorecard.target.crossed'", [tenantId])).rows;

  test('a target met after being missed emits the event once, delivered signed; the first evaluation is only a baseline', async () => {
    const tenant = await createTenant({ name: 'Webhook targets' });
    const key = tenant.apiKey.secret;
    const hook = await receiver([200]);
    const endpoint = await createEndpoint(key, hook.url, ['scorecard.target.crossed']);
    const unit = await createUnit(key);
    await createExternalRatings(key, Array.from({ length: 10 }, (_, i) => externalRating(unit.id, { overall: i < 5 ? 4 : 2 })));
    const put = await api('/v1/targets', { method: 'PUT', key, json: { targets: [{ measure: 'csat', target: 0.75 }] } });
    expect(put.status).toBe(200);

    await evaluate(tenant.tenant.id, null);
    const baseline = await owner.query('select last_side, last_value, evaluated_at from targets where tenant_id = $1', [tenant.tenant.id]);
    expect(baseline.rows[0]).toMatchObject({ last_side: 'unmet', last_value: 0.5 });
    expect(await crossedEvents(tenant.tenant.id)).toEqual([]);

    // 25 of 30 satisfied: 0.83 ≥ 0.75.
    await createExternalRatings(key, Array.from({ length: 20 }, () => externalRating(unit.id, { overall: 5 })));
    await evaluate(tenant.tenant.id, baseline.rows[0].evaluated_at);
    const [event] = await crossedEvents(tenant.tenant.id);
    expect(event.data).toMatchObject({ measure: 'csat', target: 0.75, side: 'met', previousSide: 'unmet' });
    expect(event.data.value).toBeCloseTo(25 / 30, 9);

    await runDeliveries();
    const received = await until(async () => hook.requests[0], 'the crossing');
    const payload = new Webhook(endpoint.secret).verify(received.body, received.headers) as { type: string; data: { measure: string } };
    expect(payload).toMatchObject({ type: 'scorecard.target.crossed', data: { measure: 'csat', side: 'met' } });

    // Still met the next day: no new event.
    const { rows } = await owner.query('select evaluated_at from targets where tenant_id = $1', [tenant.tenant.id]);
    await evaluate(tenant.tenant.id, rows[0].evaluated_at);
    expect(await crossedEvents(tenant.tenant.id)).toHaveLength(1);
  }, 120_000);
});

test('the daily run prunes finished events past their 30 days, with their deliveries and attempts, and keeps pending ones', async () => {
  const tenant = await createTenant({ name: 'Webhook pruning' });
  const endpoint = await createEndpoint(tenant.apiKey.secret, 'https://hooks.example.com/pruning', ['api_key.revoked']);
  const old = new Date(Date.now() - 31 * 24 * HOUR).toISOString();
  const [finished, pending, recent] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  for (const [id, createdAt, status] of [[finished, old, 'succeeded'], [pending, old, 'pending'], [recent, new Date().toISOString(), 'succeeded']] as const) {
    await owner.query(`insert into webhook_events (id, tenant_id, type, data, created_at) values ($1, $2, 'api_key.revoked', '{}', $3)`, [id, tenant.tenant.id, createdAt]);
    // next_attempt_at stays null: no delivery run picks these up.
    await owner.query(`insert into webhook_deliveries (tenant_id, event_id, endpoint_id, status) values ($1, $2, $3, $4)`, [tenant.tenant.id, id, endpoint.id, status]);
  }
  const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}&time=${Date.now()}`);
  expect(response.status).toBe(200);
  await until(async () => (await owner.query('select 1 from webhook_events where id = $1', [finished])).rowCount === 0, 'the pruning', 60_000);
  const { rows } = await owner.query('select id from webhook_events where tenant_id = $1 order by id', [tenant.tenant.id]);
  expect(rows.map((row) => row.id).sort()).toEqual([pending, recent].sort());
  expect((await owner.query('select 1 from webhook_deliveries where event_id = $1', [finished])).rowCount).toBe(0);
}, 90_000);

test('rotating the secret: both secrets sign during the grace period, then only the new one; audited; shown once', async () => {
  const tenant = await createTenant({ name: 'Webhook rotation' });
  const key = tenant.apiKey.secret;
  const hook = await receiver([200]);
  const endpoint = await createEndpoint(key, hook.url, ['api_key.revoked']);
  const revokeOne = async () => {
    const issued = await issueApiKey(key);
    await api(`/v1/api-keys/${issued.id}`, { method: 'DELETE', key });
    const count = hook.requests.length;
    await runDeliveries();
    return until(async () => hook.requests[count], 'a delivery');
  };

  const rotate = (json?: unknown, idempotencyKey?: string) =>
    api(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      method: 'POST',
      key,
      ...(json === undefined ? {} : { json }),
      ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
    });
  const first = await rotate({ gracePeriodSeconds: 3600 }, 'rotate-1');
  expect(first.status).toBe(200);
  expect(first.headers.get('cache-control')).toBe('no-store');
  const rotated = (await first.json()) as Endpoint & { secret: string };
  expect(rotated.secret).toMatch(/^whsec_/);
  expect(rotated.secret).not.toBe(endpoint.secret);
  const replay = await rotate({ gracePeriodSeconds: 3600 }, 'rotate-1');
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(((await replay.json()) as Endpoint).secret).toBeNull();

  const during = await revokeOne();
  expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
  expect(() => new Webhook(rotated.secret).verify(during.body, during.headers)).not.toThrow();
  expect(() => new Webhook(endpoint.secret).verify(during.body, during.headers)).not.toThrow();

  // Without a body: the default grace (24 h). Then with none: the old secret stops at once.
  expect((await rotate()).status).toBe(200);
  const last = (await (await rotate({ gracePeriodSeconds: 0 })).json()) as Endpoint & { secret: string };
  const after = await revokeOne();
  expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
  expect(() => new Webhook(last.secret).verify(after.body, after.headers)).not.toThrow();
  expect(() => new Webhook(rotated.secret).verify(after.body, after.headers)).toThrow();

  const audit = await api('/v1/audit-events?action=webhook_endpoint.secret_rotated', { key });
  expect(((await audit.json()) as { data: unknown[] }).data).toHaveLength(3);
  const missing = await api(`/v1/webhook-endpoints/${crypto.randomUUID()}/rotate-secret`, { method: 'POST', key, json: {} });
  expect(missing.status).toBe(404);
});
