/** Issue 14: the audit log keys on the server's own request id; a client's X-Request-Id is only a labelled field. */
import { expect, test } from 'vitest';
import { api, createTenant, listAll, ownerPool } from './helpers.ts';

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
