import { beforeAll, describe, expect, test } from 'vitest';
import { api, type CreatedTenant, createTenant, type IssuedApiKey, issueApiKey, listAll, problemOf } from './helpers.ts';

interface AuditEvent {
  id: string;
  occurredAt: string;
  action: string;
  actor: { type: string; id: string | null };
  targetId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

const events = (key: string, query = '') => listAll<AuditEvent>(`/v1/audit-events${query}`, key);

/** One tenant with a history of every kind of event an API key's holder can cause. */
let a: CreatedTenant;
let issued: IssuedApiKey;
let rotated: IssuedApiKey;
let patchRequestId: string;
beforeAll(async () => {
  a = await createTenant({ name: 'Audited' });
  const patch = await api('/v1/tenant', { method: 'PATCH', key: a.apiKey.secret, json: { benchmarkOptIn: true } });
  patchRequestId = patch.headers.get('x-request-id')!;
  issued = await issueApiKey(a.apiKey.secret, { name: 'To rotate', scopes: ['ratings:write'] });
  rotated = (await (
    await api(`/v1/api-keys/${issued.id}/rotate`, { method: 'POST', key: a.apiKey.secret, json: { gracePeriodSeconds: 0 } })
  ).json()) as IssuedApiKey;
  await api(`/v1/api-keys/${rotated.id}`, { method: 'DELETE', key: a.apiKey.secret });
  expect((await api('/v1/tenant', { key: rotated.secret })).status).toBe(401);
});

describe('GET /v1/audit-events', () => {
  test('records every change, newest first, with who did it and in which request', async () => {
    const all = await events(a.apiKey.secret);
    const admin = { type: 'api_key', id: a.apiKey.id };
    const operator = { type: 'operator', id: null };
    const summary = all.map(({ action, actor, targetId }) => ({ action, actor, targetId }));
    expect(summary.slice(0, 5)).toEqual([
      { action: 'credential.refused', actor: { type: 'api_key', id: rotated.id }, targetId: rotated.id },
      { action: 'api_key.revoked', actor: admin, targetId: rotated.id },
      { action: 'api_key.rotated', actor: admin, targetId: issued.id },
      { action: 'api_key.created', actor: admin, targetId: issued.id },
      { action: 'tenant.updated', actor: admin, targetId: a.tenant.id },
    ]);
    // Written by one batch, usually within one millisecond: ids made in one isolate still keep their order.
    expect(summary.slice(5)).toEqual([
      { action: 'api_key.created', actor: operator, targetId: a.apiKey.id },
      { action: 'tenant.created', actor: operator, targetId: a.tenant.id },
    ]);
    const byAction = Object.fromEntries(all.map((event) => [event.action, event]));
    expect(byAction['tenant.updated']!.requestId).toBe(patchRequestId);
    expect(byAction['tenant.updated']!.details).toEqual({ changes: { benchmarkOptIn: true } });
    expect(byAction['api_key.rotated']!.details).toEqual({ gracePeriodSeconds: 0, newKeyId: rotated.id });
    expect(byAction['credential.refused']!.details).toEqual({ reason: 'revoked' });
    for (const event of all) {
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(event.occurredAt)).not.toBeNaN();
    }
    const times = all.map((event) => Date.parse(event.occurredAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  test('never contains a secret, only key ids', async () => {
    const body = JSON.stringify(await events(a.apiKey.secret));
    for (const key of [a.apiKey, issued, rotated]) {
      expect(body).not.toContain(key.secret.slice(12));
    }
    const created = (await events(a.apiKey.secret, '?action=api_key.created')).find((e) => e.targetId === issued.id)!;
    expect(created.details).toEqual({ name: 'To rotate', scopes: ['ratings:write'], expiresAt: null });
  });

  test('filters by action, one or several comma-separated', async () => {
    const created = await events(a.apiKey.secret, '?action=api_key.created');
    expect(created.map((e) => e.targetId)).toEqual([issued.id, a.apiKey.id]);
    const keyChanges = await events(a.apiKey.secret, '?action=api_key.revoked,api_key.rotated');
    expect(keyChanges.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.rotated']);
    expect(await events(a.apiKey.secret, '?action=partner_client.created')).toEqual([]);
  });

  test('filters by time: from inclusive, to exclusive', async () => {
    const all = await events(a.apiKey.secret);
    const updated = all.find((e) => e.action === 'tenant.updated')!;
    const at = encodeURIComponent(updated.occurredAt);
    const since = await events(a.apiKey.secret, `?from=${at}`);
    expect(since.map((e) => e.id)).toEqual(all.slice(0, all.indexOf(updated) + 1).map((e) => e.id));
    const later = new Date(Date.parse(updated.occurredAt) + 1).toISOString();
    const before = await events(a.apiKey.secret, `?to=${encodeURIComponent(later)}`);
    expect(before.map((e) => e.id)).toContain(updated.id);
    expect(before.every((e) => Date.parse(e.occurredAt) <= Date.parse(updated.occurredAt))).toBe(true);
    const window = await events(a.apiKey.secret, `?from=${at}&to=${encodeURIComponent(later)}&action=tenant.updated`);
    expect(window.map((e) => e.id)).toEqual([updated.id]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await events(a.apiKey.secret, `?from=${encodeURIComponent(future)}`)).toEqual([]);
  });

  test('pages through the log with cursors, losing and repeating nothing', async () => {
    const all = await events(a.apiKey.secret);
    const paged = await listAll<AuditEvent>('/v1/audit-events', a.apiKey.secret, 2);
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const first = (await (await api('/v1/audit-events?limit=3', { key: a.apiKey.secret })).json()) as {
      data: AuditEvent[];
      nextCursor: string | null;
    };
    expect(first.data).toEqual(all.slice(0, 3));
    const second = (await (
      await api(`/v1/audit-events?limit=3&action=api_key.created&cursor=${first.nextCursor}`, { key: a.apiKey.secret })
    ).json()) as { data: AuditEvent[] };
    expect(second.data.map((e) => e.targetId)).toEqual([issued.id, a.apiKey.id]);
  });

  test("a tenant never sees another tenant's events", async () => {
    const b = await createTenant({ name: 'Other' });
    const seenByB = await events(b.apiKey.secret);
    expect(seenByB.map((e) => e.targetId)).toEqual([b.apiKey.id, b.tenant.id]);
    const ofA = new Set((await events(a.apiKey.secret)).map((e) => e.id));
    expect(seenByB.some((e) => ofA.has(e.id))).toBe(false);
  });

  test('needs the admin scope', async () => {
    const reader = await issueApiKey(a.apiKey.secret, { scopes: ['reports:read', 'ratings:read'] });
    const response = await api('/v1/audit-events', { key: reader.secret });
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toContain("'admin'");
  });

  test.each([
    ['?action=api_key.exploded', '/action', 'Unknown action: api_key.exploded'],
    ['?action=api_key.created,nope', '/action', 'Unknown action: nope'],
    ['?action=api_key.created&action=api_key.revoked', '/action', 'separated by commas'],
    ['?from=yesterday', '/from'],
    ['?to=2026-01-01', '/to'],
    ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', '/to', 'Must not be before `from`'],
    ['?limit=0', '/limit'],
    ['?cursor=nonsense', '/cursor'],
  ])('%s is a 400 at %s', async (query, pointer, detail = '') => {
    const response = await api(`/v1/audit-events${query}`, { key: a.apiKey.secret });
    expect(response.status).toBe(400);
    const { errors } = await problemOf(response);
    expect(errors!.map((e) => e.pointer)).toEqual([pointer]);
    expect(errors![0]!.detail).toContain(detail);
  });
});
