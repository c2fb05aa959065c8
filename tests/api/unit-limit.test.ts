/**
 * A tenant has at most MAX_UNITS_PER_TENANT units (README, Limits): one more is a 409 problem+json
 * naming the limit, whoever writes it, and two concurrent creates at the last free place cannot both
 * pass. The units before the limit are inserted as the owner in one statement (the API would take
 * 20,000 requests).
 */
import { beforeAll, expect, test } from 'vitest';
import { MAX_UNITS_PER_TENANT } from '../../worker/db/units.ts';
import { api, createTenant, ownerPool, problemOf } from './helpers.ts';

const owner = ownerPool();
let key: string;
let tenantId: string;

const unitsOf = async () => (await owner.query<{ n: number }>('select count(*)::int as n from units where tenant_id = $1', [tenantId])).rows[0]!.n;
const create = (name: string) => api('/v1/units', { method: 'POST', key, json: { name, kind: 'touchpoint' } });

beforeAll(async () => {
  const { apiKey, tenant } = await createTenant({ name: 'At the unit limit' });
  key = apiKey.secret;
  tenantId = tenant.id;
  await owner.query(
    `insert into units (id, tenant_id, name, kind) select gen_random_uuid(), $1, 'Team ' || i, 'touchpoint' from generate_series(1, $2) i`,
    [tenantId, MAX_UNITS_PER_TENANT - 2],
  );
}, 120_000);

test(`the ${MAX_UNITS_PER_TENANT.toLocaleString('en')}th unit is created; of two concurrent creates after it, exactly one passes; then every create is a 409 naming the limit`, async () => {
  expect((await create('The last but one')).status).toBe(201);
  const answers = await Promise.all([create('Racer A'), create('Racer B')]);
  expect(answers.map((response) => response.status).sort()).toEqual([201, 409]);
  expect(await unitsOf()).toBe(MAX_UNITS_PER_TENANT);

  const refused = await create('One too many');
  expect(refused.status).toBe(409);
  const problem = await problemOf(refused);
  expect(problem.type).toMatch(/conflict$/);
  expect(problem.detail).toContain(`at most ${MAX_UNITS_PER_TENANT.toLocaleString('en')} units`);
  expect(await unitsOf()).toBe(MAX_UNITS_PER_TENANT);
});

test('the limit holds for every writer, not only the API: the owner cannot insert past it either', async () => {
  await expect(owner.query(`insert into units (id, tenant_id, name, kind) values (gen_random_uuid(), $1, 'Bulk', 'touchpoint')`, [tenantId])).rejects.toMatchObject({ code: 'UL409' });
  expect(await unitsOf()).toBe(MAX_UNITS_PER_TENANT);
});

test('another tenant is not affected', async () => {
  const { apiKey } = await createTenant({ name: 'Beside the full one' });
  expect((await api('/v1/units', { method: 'POST', key: apiKey.secret, json: { name: 'First', kind: 'touchpoint' } })).status).toBe(201);
});
