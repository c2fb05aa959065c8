/**
 * Issue 16: webhook delivery on a Cloudflare Queue, through the real worker in workerd (Miniflare runs
 * wrangler.toml's producer, consumer and dead-letter queue). The test puts messages on the Queue as
 * the dispatcher would, to show what at-least-once delivery cannot break: a message handed over
 * several times makes one attempt, and a message that can never be handled ends in the dead-letter
 * queue, whose consumer records it on its delivery.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { type CreatedTenant, createTenant, operatorToken, ownerPool, until } from './helpers.ts';

const owner = ownerPool();

interface DeliveryRow {
  status: string;
  attempts: number;
  last_error: string | null;
}

let worker: RunningWorker;
const received: { id: string }[] = [];
let receiverUrl: string;
const server = http.createServer((request, response) => {
  request.resume().on('end', () => {
    received.push({ id: String(request.headers['webhook-id']) });
    response.writeHead(204).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  // A worker of its own, so the test holds its Queue's producer; the database is the shared one.
  worker = await startWorker(
    {
      DATABASE_URL: inject('databaseUrl'),
      LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
      OPERATOR_TOKEN: operatorToken,
      JWT_SIGNING_KEYS: inject('signingKeys'),
      HASH_SECRET: 'webhooks-queue-test',
      RATE_LIMIT_MODE: 'local',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
    },
    { script: inject('workerScript') },
  );
});
afterAll(async () => {
  await worker?.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A tenant with an endpoint (created through this worker, which holds its secret's key) and one pending delivery, leased until `leasedUntil` as a dispatch would. */
async function leasedDelivery(name: string, leasedUntil: Date) {
  const tenant: CreatedTenant = await createTenant({ name });
  const created = await fetch(`${worker.url}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tenant.apiKey.secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: receiverUrl, eventTypes: ['api_key.revoked'] }),
  });
  expect(created.status).toBe(201);
  const endpoint = (await created.json()) as { id: string };
  const eventId = crypto.randomUUID();
  await owner.query(`insert into webhook_events (id, tenant_id, type, data) values ($1, $2, 'api_key.revoked', '{}')`, [eventId, tenant.tenant.id]);
  const { rows } = await owner.query<{ id: string }>(
    `insert into webhook_deliveries (tenant_id, event_id, endpoint_id, next_attempt_at) values ($1, $2, $3, $4) returning id`,
    [tenant.tenant.id, eventId, endpoint.id, leasedUntil],
  );
  return { tenantId: tenant.tenant.id, eventId, deliveryId: rows[0]!.id };
}

async function deliveryRow(id: string): Promise<DeliveryRow> {
  const { rows } = await owner.query<DeliveryRow>('select status, attempts, last_error from webhook_deliveries where id = $1', [id]);
  return rows[0]!;
}

describe('webhook delivery on the Queue', () => {
  test('a message the Queue hands over three times makes one attempt: the lease fences the copies', async () => {
    const leasedUntil = new Date(Date.now() + 300_000);
    const { tenantId, eventId, deliveryId } = await leasedDelivery('Queue duplicates', leasedUntil);
    const message = { deliveryId, tenantId, leasedUntil: leasedUntil.toISOString(), at: new Date().toISOString() };
    const queue = await worker.queueProducer('WEBHOOK_QUEUE');
    // Two in one batch, one in a later batch: both ways at-least-once delivery repeats a message.
    await queue.sendBatch([{ body: message }, { body: message }]);
    await until(async () => (await deliveryRow(deliveryId)).status === 'succeeded', 'the delivery');
    await queue.send(message);
    // Long enough for the third copy's batch (max_batch_timeout is 1 s) to be consumed.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(received.filter((r) => r.id === eventId)).toHaveLength(1);
    expect(await deliveryRow(deliveryId)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const attempts = await owner.query('select 1 from webhook_attempts where delivery_id = $1', [deliveryId]);
    expect(attempts.rowCount).toBe(1);
  });

  test('a poison message is retried, dead-lettered, and recorded on its delivery as a failed attempt with the usual backoff', async () => {
    const leasedUntil = new Date(Date.now() + 300_000);
    const { tenantId, eventId, deliveryId } = await leasedDelivery('Queue poison', leasedUntil);
    const queue = await worker.queueProducer('WEBHOOK_QUEUE');
    // Names a real delivery, but its lease is no time: no consumer run can ever start it.
    await queue.send({ deliveryId, tenantId, leasedUntil: 'soon', at: new Date().toISOString() });

    const row = await until(async () => {
      const current = await deliveryRow(deliveryId);
      return current.attempts > 0 && current;
    }, 'the dead letter to be recorded', 20_000);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/^Dead-lettered/);
    const { rows } = await owner.query<{ next_attempt_at: Date }>('select next_attempt_at from webhook_deliveries where id = $1', [deliveryId]);
    // Retried by the outbox after the first backoff step (5 s, with up to 10% jitter), not lost.
    expect(rows[0]!.next_attempt_at.getTime()).toBeGreaterThan(Date.now() - 5_000);
    expect(received.filter((r) => r.id === eventId)).toHaveLength(0);
  });
});
