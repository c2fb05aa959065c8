import { beforeAll, describe, expect, test } from 'vitest';
import { api, type CreatedTenant, createTenant, issueApiKey, problemOf } from './helpers.ts';

let tenant: CreatedTenant;
let reader: string;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Targets' });
  reader = (await issueApiKey(tenant.apiKey.secret, { scopes: ['reports:read'] })).secret;
});

const put = (json: unknown, key = tenant.apiKey.secret) => api('/v1/targets', { method: 'PUT', key, json });
interface TargetList {
  data: { measure: string; target: number; updatedAt: string }[];
}
const measures = (body: unknown) => (body as TargetList).data.map(({ measure, target }) => [measure, target]);

describe('targets', () => {
  test('PUT sets the given measures, leaves the others, null removes; GET lists them', async () => {
    let response = await put({ targets: [{ measure: 'csat', target: 0.85 }, { measure: 'nps', target: 40 }, { measure: 'quality', target: 4.5 }] });
    expect(response.status).toBe(200);
    expect(measures(await response.json())).toEqual([['quality', 4.5], ['csat', 0.85], ['nps', 40]]);
    response = await put({ targets: [{ measure: 'nps', target: -10 }, { measure: 'quality', target: null }] });
    expect(measures(await response.json())).toEqual([['csat', 0.85], ['nps', -10]]);
    response = await api('/v1/targets', { key: reader });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TargetList;
    expect(measures(body)).toEqual([['csat', 0.85], ['nps', -10]]);
    expect(body.data[0]!.updatedAt).toMatch(/Z$/);
  });

  test.each([
    [{ measure: 'csat', target: 1.5 }, '/targets/0/target'],
    [{ measure: 'overall', target: 0.5 }, '/targets/0/target'],
    [{ measure: 'enps', target: 101 }, '/targets/0/target'],
    [{ measure: 'speed', target: 3 }, '/targets/0/measure'],
  ])('refuses %j', async (target, pointer) => {
    const response = await put({ targets: [target] });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });

  test('refuses a measure twice, and an empty list', async () => {
    const twice = await put({ targets: [{ measure: 'csat', target: 0.8 }, { measure: 'csat', target: 0.9 }] });
    expect(twice.status).toBe(422);
    expect((await problemOf(twice)).errors!.map((e) => e.pointer)).toEqual(['/targets/1/measure']);
    expect((await put({ targets: [] })).status).toBe(422);
  });

  test('setting needs admin; reading needs reports:read', async () => {
    expect((await put({ targets: [{ measure: 'csat', target: 0.8 }] }, reader)).status).toBe(403);
    const writer = (await issueApiKey(tenant.apiKey.secret, { scopes: ['ratings:write'] })).secret;
    expect((await api('/v1/targets', { key: writer })).status).toBe(403);
  });

  test("a tenant sees only its own targets", async () => {
    const other = await createTenant();
    const response = await api('/v1/targets', { key: other.apiKey.secret });
    expect(await response.json()).toEqual({ data: [] });
  });
});
