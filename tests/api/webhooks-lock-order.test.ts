/**
 * The fuzz's 40P01 on PATCH /v1/webhook-endpoints/{id}: the PATCH locked its endpoint and then the
 * endpoint's deliveries, while the delivery consumer recorded an attempt's outcome by locking the
 * delivery and then the endpoint. Both now lock the endpoint first.
 *
 * Made deterministic by holding the PATCH's transaction open in the test: a transaction runs the
 * PATCH's two statements (as `updateWebhookEndpoint` sends them when disabling) with the real consumer's
 * outcome batch caught between them. With the old order the consumer holds the delivery and waits for
 * the endpoint, so the PATCH's second statement deadlocks; with one order the consumer waits before it
 * has locked anything. The PATCH side runs with a short `deadlock_timeout`, so it is the side
 * Postgres picks to abort when there is a cycle.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { api, createTenant, ownerPool, until } from './helpers.ts';

const owner = ownerPool();
/** A superuser on the application database: only it may shorten `deadlock_timeout` and see other logins' waits. */
const superuserUrl = new URL(inject('postgresAdminUrl'));
superuserUrl.pathname = new URL(inject('ownerDatabaseUrl')).pathname;
const admin = new pg.Pool({ connectionString: superuserUrl.href, max: 2 });
afterAll(() => admin.end());

/** Receives webhook POSTs and holds each until the test releases it, then answers 500. */
const held: (() => void)[] = [];
const server = http.createServer((request, response) => {
  request.resume().on('end', () => held.push(() => response.writeHead(500).end()));
});
let hook: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  for (const release of held.splice(0)) release();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('webhook lock order', () => {
  test("a PATCH that disables an endpoint while the consumer records its delivery's failure does not deadlock", async () => {
    const { tenant, apiKey } = await createTenant({ name: 'Lock order' });
    const created = await api('/v1/webhook-endpoints', { method: 'POST', key: apiKey.secret, json: { url: hook, eventTypes: ['api_key.revoked'] } });
    expect(created.status).toBe(201);
    const endpointId = ((await created.json()) as { id: string }).id;
    // A test event goes onto the Queue at once; the consumer starts its attempt and POSTs it to the receiver, which holds it.
    const tested = await api(`/v1/webhook-endpoints/${endpointId}/test`, { method: 'POST', key: apiKey.secret });
    expect(tested.status).toBe(202);
    const { deliveryId } = (await tested.json()) as { deliveryId: string };
    await until(async () => held.length > 0, 'the attempt to reach the receiver');

    const patch = await admin.connect();
    try {
      await patch.query('begin');
      await patch.query(`set local deadlock_timeout = '50ms'`);
      const { pid } = (await patch.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!;
      // The PATCH's first statement: the endpoint, disabled.
      await patch.query('update webhook_endpoints set disabled_at = coalesce(disabled_at, now()) where tenant_id = $1 and id = $2', [tenant.id, endpointId]);
      // The receiver answers 500: the consumer records the failed attempt and waits for the endpoint's lock.
      held.shift()!();
      await until(
        async () => (await admin.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and pid <> $1`, [pid])).rowCount! > 0,
        "the consumer's outcome batch to wait for the endpoint",
      );
      // The PATCH's second statement: the endpoint's pending deliveries, abandoned. The old order deadlocked here (40P01).
      const abandoned = await patch.query(`update webhook_deliveries set status = 'abandoned', next_attempt_at = null where tenant_id = $1 and endpoint_id = $2 and status = 'pending'`, [
        tenant.id,
        endpointId,
      ]);
      expect(abandoned.rowCount).toBe(1);
      await patch.query('commit');
    } catch (error) {
      await patch.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      patch.release();
    }

    // The consumer's batch then commits after the PATCH: the failure starts the endpoint's failing streak.
    await until(
      async () => (await owner.query('select 1 from webhook_endpoints where id = $1 and failing_since is not null', [endpointId])).rowCount! > 0,
      "the consumer's outcome batch to commit",
    );
    const { rows } = await owner.query('select status from webhook_deliveries where id = $1', [deliveryId]);
    expect(rows).toEqual([{ status: 'abandoned' }]);
  });

  test('PATCHes racing the consumer over and over are never a 5xx', async () => {
    const { apiKey } = await createTenant({ name: 'Lock order race' });
    const ENDPOINTS = 5;
    const ROUNDS = 8;
    const ids: string[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const created = await api('/v1/webhook-endpoints', { method: 'POST', key: apiKey.secret, json: { url: hook, eventTypes: ['api_key.revoked'] } });
      ids.push(((await created.json()) as { id: string }).id);
    }
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of ids) expect((await api(`/v1/webhook-endpoints/${id}/test`, { method: 'POST', key: apiKey.secret })).status).toBe(202);
      await until(async () => held.length >= ENDPOINTS, 'every attempt to reach the receiver');
      // The receiver answers all at once (the consumer records the failures) while each endpoint is disabled.
      const releases = held.splice(0);
      const patches = ids.map((id) => api(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', key: apiKey.secret, json: { status: 'disabled' } }));
      for (const release of releases) release();
      statuses.push(...(await Promise.all(patches)).map((response) => response.status));
      statuses.push(
        ...(await Promise.all(ids.map((id) => api(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', key: apiKey.secret, json: { status: 'enabled' } })))).map(
          (response) => response.status,
        ),
      );
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});
