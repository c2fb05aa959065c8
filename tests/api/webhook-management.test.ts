/**
 * Issue 19, webhooks as their users expect them: a test event the Standard Webhooks library verifies,
 * manual redelivery, PATCH (URL, event types, enable/disable; enabling resets the failure clock), all
 * audited; and every event type's payload documented under the document's `webhooks`.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from '../../db/schema.ts';
import { api, type CreatedTenant, createTenant, ownerPool, problemOf, until } from './helpers.ts';

const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as typeof import('ajv/dist/2020.js').default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof import('ajv-formats').default;

const owner = ownerPool();
const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
const WEBHOOK_CRON = '* * * * *';

interface Received {
  headers: Record<string, string>;
  body: string;
}

let status = 204;
/** How long the receiver takes to answer: a slow answer keeps a delivery in flight. */
let delayMs = 0;
const received: Received[] = [];
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
    setTimeout(() => response.writeHead(status).end(), delayMs);
  });
});
let url: string;

let tenant: CreatedTenant;
let endpoint: { id: string; secret: string };
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  tenant = await createTenant({ name: 'Webhook management' });
  const response = await api('/v1/webhook-endpoints', { method: 'POST', key: tenant.apiKey.secret, json: { url, eventTypes: ['api_key.revoked'] } });
  expect(response.status).toBe(201);
  endpoint = (await response.json()) as { id: string; secret: string };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const admin = (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { key: tenant.apiKey.secret, ...init });

/**
 * The request the receiver got for `eventId` after the first `before` requests. A write that creates a
 * delivery dispatches it to the Queue itself; the per-minute cron is fired too, as a fallback.
 */
async function deliveryOf(eventId: string, before: number): Promise<Received> {
  const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(WEBHOOK_CRON)}&time=${Date.now()}`);
  expect(response.status).toBe(200);
  return until(async () => received.slice(before).find((request) => request.headers['webhook-id'] === eventId), `the delivery of ${eventId}`);
}

/** Until the delivery's attempt has finished (recorded once the receiver has answered). */
async function finished(deliveryId: string): Promise<void> {
  await until(async () => (await owner.query("select 1 from webhook_deliveries where id = $1 and status <> 'pending'", [deliveryId])).rowCount! > 0, `delivery ${deliveryId} to finish`);
}

async function auditActions(targetId: string): Promise<{ action: string; details: unknown }[]> {
  const { rows } = await owner.query('select action, details from audit_events where target_id = $1 order by id', [targetId]);
  return rows;
}

function validatorOf(type: string) {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'openapi' });
  const key = Object.keys(document.webhooks).find((name) => name.replace(/^\//, '') === type)!;
  return ajv.compile({ $ref: `openapi#/webhooks/${key.replaceAll('~', '~0').replaceAll('/', '~1')}/post/requestBody/content/application~1json/schema` });
}

describe('POST /v1/webhook-endpoints/{id}/test', () => {
  test('writes a signed webhook.test event that the Standard Webhooks library verifies, audited', async () => {
    const before = received.length;
    const response = await admin(`/v1/webhook-endpoints/${endpoint.id}/test`, { method: 'POST' });
    expect(response.status).toBe(202);
    const { eventId, deliveryId } = (await response.json()) as { eventId: string; deliveryId: string };
    const delivered = await deliveryOf(eventId, before);
    const payload = new Webhook(endpoint.secret).verify(delivered.body, delivered.headers) as { type: string; data: { endpointId: string } };
    expect(payload).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
    const validate = validatorOf('webhook.test');
    expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);

    // The attempt is recorded once the receiver has answered.
    const attempts = await until(async () => {
      const page = (await (await admin(`/v1/webhook-endpoints/${endpoint.id}/deliveries`)).json()) as { data: { deliveryId: string; eventType: string }[] };
      return page.data.length > 0 && page;
    }, 'the recorded attempt');
    expect(attempts.data[0]).toMatchObject({ deliveryId, eventType: 'webhook.test' });
    expect(await auditActions(endpoint.id)).toContainEqual({ action: 'webhook_endpoint.tested', details: { eventId } });
  });

  test('another tenant gets a 404, and webhook.test is not subscribable', async () => {
    const other = await createTenant({ name: 'Webhook outsider' });
    expect((await api(`/v1/webhook-endpoints/${endpoint.id}/test`, { method: 'POST', key: other.apiKey.secret })).status).toBe(404);
    const refused = await admin('/v1/webhook-endpoints', { method: 'POST', json: { url, eventTypes: ['webhook.test'] } });
    expect(refused.status).toBe(422);
  });
});

describe('redelivery and PATCH', () => {
  test('a finished delivery is delivered again with the same webhook-id; a pending one is a 409', async () => {
    // A slow receiver keeps the first attempt in flight, so the delivery is still pending when redelivery is asked.
    delayMs = 2_000;
    const first = received.length;
    const { deliveryId, eventId } = (await (await admin(`/v1/webhook-endpoints/${endpoint.id}/test`, { method: 'POST' })).json()) as { deliveryId: string; eventId: string };
    const path = `/v1/webhook-endpoints/${endpoint.id}/deliveries/${deliveryId}/redeliver`;
    expect((await problemOf(await admin(path, { method: 'POST' }))).status).toBe(409);
    delayMs = 0;
    await deliveryOf(eventId, first);
    await finished(deliveryId);

    const before = received.length;
    const response = await admin(path, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ eventId, deliveryId });
    await deliveryOf(eventId, before);
    expect(await auditActions(deliveryId)).toEqual([{ action: 'webhook_delivery.redelivered', details: { endpointId: endpoint.id } }]);

    const unknown = `/v1/webhook-endpoints/${endpoint.id}/deliveries/${crypto.randomUUID()}/redeliver`;
    expect((await admin(unknown, { method: 'POST' })).status).toBe(404);
  });

  test('changes URL and event types; disabling stops deliveries, enabling resets the failure clock; audited', async () => {
    const path = `/v1/webhook-endpoints/${endpoint.id}`;
    const changed = await admin(path, { method: 'PATCH', json: { eventTypes: ['api_key.revoked', 'scorecard.target.crossed'], url: `${url}?v=2` } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ eventTypes: ['api_key.revoked', 'scorecard.target.crossed'], url: `${url}?v=2` });

    // As the delivery job leaves an endpoint that failed for 24 hours.
    await owner.query("update webhook_endpoints set failing_since = now() - interval '25 hours', disabled_at = now() where id = $1", [endpoint.id]);
    expect((await problemOf(await admin(`${path}/test`, { method: 'POST' }))).status).toBe(409);

    const enabled = await admin(path, { method: 'PATCH', json: { status: 'enabled' } });
    expect(await enabled.json()).toMatchObject({ status: 'enabled', failingSince: null, disabledAt: null });

    const disabled = await admin(path, { method: 'PATCH', json: { status: 'disabled' } });
    expect(await disabled.json()).toMatchObject({ status: 'disabled', disabledAt: expect.any(String) });
    await admin(path, { method: 'PATCH', json: { status: 'enabled' } });

    const updates = (await auditActions(endpoint.id)).filter(({ action }) => action === 'webhook_endpoint.updated');
    expect(updates.map(({ details }) => details)).toEqual([
      { eventTypes: ['api_key.revoked', 'scorecard.target.crossed'], url: `${url}?v=2` },
      { enabled: true },
      { enabled: false },
      { enabled: true },
    ]);
  });

  test('bad changes are 4xx problems', async () => {
    const path = `/v1/webhook-endpoints/${endpoint.id}`;
    expect((await problemOf(await admin(path, { method: 'PATCH', json: {} }))).status).toBe(422);
    expect((await problemOf(await admin(path, { method: 'PATCH', json: { url: 'http://169.254.169.254/' } }))).status).toBe(422);
    expect((await problemOf(await admin(`/v1/webhook-endpoints/${crypto.randomUUID()}`, { method: 'PATCH', json: { status: 'enabled' } }))).status).toBe(404);
  });
});

test("every event type's payload is a schema under the document's webhooks, and a delivered event matches its own", async () => {
  const documented = Object.keys(document.webhooks ?? {}).map((name) => name.replace(/^\//, ''));
  expect(documented.sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  expect(SUBSCRIBABLE_EVENT_TYPES).not.toContain('webhook.test');
  for (const type of WEBHOOK_EVENT_TYPES) expect(validatorOf(type)({ type, timestamp: new Date().toISOString(), data: {} })).toBe(false);

  const issued = (await (await admin('/v1/api-keys', { method: 'POST', json: { name: 'To revoke', scopes: ['ratings:read'] } })).json()) as { id: string };
  const before = received.length;
  expect((await admin(`/v1/api-keys/${issued.id}`, { method: 'DELETE' })).status).toBe(200);
  const revokedOf = () =>
    received
      .slice(before)
      .map((request) => JSON.parse(request.body) as { type: string; data: { apiKey?: { id: string } } })
      .find((payload) => payload.type === 'api_key.revoked' && payload.data.apiKey?.id === issued.id);
  // The revocation dispatches its delivery to the Queue itself.
  const revoked = await until(async () => revokedOf(), 'the revocation’s delivery');
  const validate = validatorOf('api_key.revoked');
  expect(validate(revoked), JSON.stringify(validate.errors)).toBe(true);
});
