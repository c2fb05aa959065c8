/**
 * Issue 19, what an auditor expects: every change an admin or operator makes leaves an audit event.
 * The walk takes the write operations from the OpenAPI document itself (POST, PUT, PATCH, DELETE, and
 * the CSV export), so a new one that is neither audited here nor on the commented allow-list fails.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  type CreatedTenant,
  createPartnerClient,
  createTenant,
  createUnit,
  externalRating,
  issueApiKey,
  operatorToken,
  ownerPool,
  until,
  validTenant,
  waitForJobRun,
} from './helpers.ts';

const owner = ownerPool();
const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

/** Writes that are not admin or operator changes, or are recorded elsewhere; each says why. */
const NOT_AUDITED: Record<string, string> = {
  // Ratings are the product's data, not changes to the tenant: counted (rollups), not audited one by one.
  createExternalRating: 'a rating',
  createExternalRatingBatch: 'ratings',
  createInternalRating: 'an anonymous rating: an audit row would tie it to a credential and a time',
  createInternalRatingBatch: 'anonymous ratings, as above',
  // Issuing a token changes nothing; a revoked client's attempt is audited (credential.refused).
  issueAccessToken: 'a token, not a change',
};

const server = http.createServer((request, response) => request.resume().on('end', () => response.writeHead(204).end()));
let hook: string;
let tenant: CreatedTenant;
const admin = (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { key: tenant.apiKey.secret, ...init });
const json = (response: Response) => response.json() as Promise<Record<string, any>>;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  tenant = await createTenant({ name: 'Audit walk' });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function webhookEndpoint(): Promise<string> {
  return (await json(await admin('/v1/webhook-endpoints', { method: 'POST', json: { url: hook, eventTypes: ['api_key.revoked'] } }))).id;
}

/**
 * Each audited write: how to make one, and the action it must record, in the tenant's log or, for a
 * change of no tenant (the benchmark job spans them all), in the operator's.
 */
const AUDITED: Record<string, { action: string; log?: 'operator'; run: () => Promise<Response> }> = {
  runBenchmarks: {
    action: 'job_run.started',
    log: 'operator',
    run: async () => {
      const response = await api('/v1/admin/jobs/benchmarks', { method: 'POST', key: operatorToken, json: {} });
      // The run is the stack's own work: let it end before the file's stack stops.
      if (response.ok) await waitForJobRun(((await response.clone().json()) as { id: string }).id);
      return response;
    },
  },
  createTenant: { action: 'tenant.created', run: () => api('/v1/tenants', { method: 'POST', key: operatorToken, json: validTenant }) },
  updateTenant: { action: 'tenant.updated', run: () => admin('/v1/tenant', { method: 'PATCH', json: { name: 'Audit walk, renamed' } }) },
  createApiKey: { action: 'api_key.created', run: () => admin('/v1/api-keys', { method: 'POST', json: { name: 'Walk', scopes: ['ratings:read'] } }) },
  revokeApiKey: { action: 'api_key.revoked', run: async () => admin(`/v1/api-keys/${(await issueApiKey(tenant.apiKey.secret)).id}`, { method: 'DELETE' }) },
  rotateApiKey: { action: 'api_key.rotated', run: async () => admin(`/v1/api-keys/${(await issueApiKey(tenant.apiKey.secret)).id}/rotate`, { method: 'POST', json: {} }) },
  createPartnerClient: { action: 'partner_client.created', run: () => admin('/v1/partner-clients', { method: 'POST', json: { name: 'Walk', scopes: ['reports:read'] } }) },
  revokePartnerClient: {
    action: 'partner_client.revoked',
    run: async () => admin(`/v1/partner-clients/${(await createPartnerClient(tenant.apiKey.secret)).id}`, { method: 'DELETE' }),
  },
  eraseExternalRatings: {
    action: 'external_ratings.erased',
    run: async () => {
      const unit = await createUnit(tenant.apiKey.secret);
      await admin('/v1/external-ratings', { method: 'POST', json: externalRating(unit.id, { customerRef: 'walk-1' }) });
      return admin('/v1/external-ratings?customerRef=walk-1', { method: 'DELETE' });
    },
  },
  exportExternalRatings: {
    action: 'external_ratings.exported',
    run: async () => {
      const response = await admin('/v1/external-ratings/export.csv');
      await response.text();
      return response;
    },
  },
  createUnit: { action: 'unit.created', run: () => admin('/v1/units', { method: 'POST', json: { name: 'Walk unit', kind: 'touchpoint' } }) },
  updateUnit: { action: 'unit.updated', run: async () => admin(`/v1/units/${(await createUnit(tenant.apiKey.secret)).id}`, { method: 'PATCH', json: { name: 'Renamed' } }) },
  deleteUnit: { action: 'unit.deleted', run: async () => admin(`/v1/units/${(await createUnit(tenant.apiKey.secret)).id}`, { method: 'DELETE' }) },
  putTargets: { action: 'targets.updated', run: () => admin('/v1/targets', { method: 'PUT', json: { targets: [{ measure: 'csat', target: 0.8 }] } }) },
  createWebhookEndpoint: { action: 'webhook_endpoint.created', run: () => admin('/v1/webhook-endpoints', { method: 'POST', json: { url: hook, eventTypes: ['api_key.revoked'] } }) },
  updateWebhookEndpoint: { action: 'webhook_endpoint.updated', run: async () => admin(`/v1/webhook-endpoints/${await webhookEndpoint()}`, { method: 'PATCH', json: { status: 'disabled' } }) },
  deleteWebhookEndpoint: { action: 'webhook_endpoint.deleted', run: async () => admin(`/v1/webhook-endpoints/${await webhookEndpoint()}`, { method: 'DELETE' }) },
  rotateWebhookSecret: { action: 'webhook_endpoint.secret_rotated', run: async () => admin(`/v1/webhook-endpoints/${await webhookEndpoint()}/rotate-secret`, { method: 'POST', json: {} }) },
  testWebhookEndpoint: { action: 'webhook_endpoint.tested', run: async () => admin(`/v1/webhook-endpoints/${await webhookEndpoint()}/test`, { method: 'POST' }) },
  redeliverWebhook: {
    action: 'webhook_delivery.redelivered',
    run: async () => {
      const id = await webhookEndpoint();
      const { deliveryId } = await json(await admin(`/v1/webhook-endpoints/${id}/test`, { method: 'POST' }));
      // The test event goes to the Queue at once; a delivery can be redelivered once its attempt has finished.
      await until(async () => (await owner.query("select 1 from webhook_deliveries where id = $1 and status <> 'pending'", [deliveryId])).rowCount! > 0, 'the test delivery to finish');
      return admin(`/v1/webhook-endpoints/${id}/deliveries/${deliveryId}/redeliver`, { method: 'POST' });
    },
  },
};

const writes: string[] = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((operations) =>
  Object.entries(operations).flatMap(([method, operation]) =>
    ['post', 'put', 'patch', 'delete'].includes(method) || operation.operationId === 'exportExternalRatings' ? [operation.operationId] : [],
  ),
);

test('every write operation in the document is audited or on the allow-list, and nothing is on both', () => {
  const unaccounted = writes.filter((id) => !(id in AUDITED) && !(id in NOT_AUDITED));
  expect(unaccounted, 'write operations with no audit event').toEqual([]);
  expect(Object.keys(AUDITED).filter((id) => id in NOT_AUDITED)).toEqual([]);
  expect([...Object.keys(AUDITED), ...Object.keys(NOT_AUDITED)].filter((id) => !writes.includes(id)), 'gone from the document').toEqual([]);
});

describe.each(Object.entries(AUDITED))('%s', (operationId, { action, log, run }) => {
  test(`records ${action}, with the request id`, async () => {
    const response = await run();
    expect(response.status, `${operationId}: ${response.status}`).toBeLessThan(300);
    const requestId = response.headers.get('x-request-id');
    const table = log === 'operator' ? 'operator_audit_events' : 'audit_events';
    const { rows } = await owner.query(`select action, actor_type from ${table} where request_id = $1`, [requestId]);
    expect(rows.map((row) => row.action)).toContain(action);
  });
});
