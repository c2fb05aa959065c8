/** Issue 14: the audit log keys on the server's own request id; a client's X-Request-Id is only a labelled field. */
import { expect, inject, test } from 'vitest';
import { api, basicAuth, createPartnerClient, createTenant, issueApiKey, listAll, ownerPool } from './helpers.ts';

const owner = ownerPool();

test("a client's X-Request-Id is echoed and recorded apart; the audit log's request id is the server's own", async () => {
  const { tenant, apiKey } = await createTenant();
  // A client could otherwise pass off its action as another request (or another client's) by naming its id.
  const response = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { name: 'Renamed' }, headers: { 'X-Request-Id': 'forged-id_1' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toBe('forged-id_1');
  const { rows } = await owner.query(`select request_id, client_request_id from audit_events where tenant_id = $1 and action = 'tenant.updated'`, [tenant.id]);
  expect(rows).toHaveLength(1);
  expect(rows[0].client_request_id).toBe('forged-id_1');
  expect(rows[0].request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const events = await listAll<{ action: string; requestId: string; clientRequestId: string | null }>('/v1/audit-events', apiKey.secret);
  expect(events.find((event) => event.action === 'tenant.updated')).toMatchObject({ requestId: rows[0].request_id, clientRequestId: 'forged-id_1' });

  // Without one, the response's id is the server's, and the audit log has it.
  const plain = await api('/v1/tenant', { method: 'PATCH', key: apiKey.secret, json: { name: 'Renamed again' } });
  const serverId = plain.headers.get('x-request-id');
  const { rows: second } = await owner.query(`select client_request_id from audit_events where request_id = $1`, [serverId]);
  expect(second).toEqual([{ client_request_id: null }]);
});

test("a refused credential's audit row keeps the client's X-Request-Id apart too (API key and partner client)", async () => {
  const { tenant, apiKey } = await createTenant();
  const revokedKey = await issueApiKey(apiKey.secret);
  expect((await api(`/v1/api-keys/${revokedKey.id}`, { method: 'DELETE', key: apiKey.secret })).status).toBeLessThan(300);
  expect((await api('/v1/tenant', { key: revokedKey.secret, headers: { 'X-Request-Id': 'client-key-1' } })).status).toBe(401);
  const client = await createPartnerClient(apiKey.secret);
  expect((await api(`/v1/partner-clients/${client.id}`, { method: 'DELETE', key: apiKey.secret })).status).toBeLessThan(300);
  const token = await fetch(`${inject('workerUrl')}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basicAuth(client.clientId, client.clientSecret), 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-Id': 'client-token-1' },
    body: 'grant_type=client_credentials',
  });
  expect(token.status).toBe(401);
  const { rows } = await owner.query(
    `select target_id, request_id, client_request_id from audit_events where tenant_id = $1 and action = 'credential.refused' order by target_id`,
    [tenant.id],
  );
  expect(rows.map((row) => [row.target_id, row.client_request_id]).sort()).toEqual([[revokedKey.id, 'client-key-1'], [client.id, 'client-token-1']].sort());
  for (const row of rows) expect(row.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
