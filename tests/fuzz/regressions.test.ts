/**
 * Bugs the fuzz found, each pinned by the smallest request that showed it (the deep-nesting one
 * lives in tests/api/internal-ratings.test.ts, beside the walk it broke).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createTenant, createUnit, externalRating, operatorToken, ownerPool, problemOf, runBenchmarkJob, validTenant } from '../api/helpers.ts';

let key: string;
let unitId: string;
beforeAll(async () => {
  key = (await createTenant({ name: 'Fuzz regressions' })).apiKey.secret;
  unitId = (await createUnit(key)).id;
});

// Free text with NUL was a 500 everywhere (Postgres text refuses it); an unpaired surrogate was a 500
// where the audit log stores the name as jsonb, and elsewhere was stored as U+FFFD but answered as sent.
describe.each([
  ['NUL', 'a\u0000b'],
  ['a lone low surrogate', 'x\udfff'],
  ['a lone high surrogate', '\ud800'],
])('free text with %s is a 422 naming the field', (_, value) => {
  const cases: [string, string, () => string, (v: string) => unknown, string][] = [
    ['POST', '/v1/tenants', () => operatorToken, (v) => ({ ...validTenant, name: v }), '/name'],
    ['PATCH', '/v1/tenant', () => key, (v) => ({ name: v }), '/name'],
    ['POST', '/v1/units', () => key, (v) => ({ name: v, kind: 'touchpoint' }), '/name'],
    ['PATCH', '/v1/units/{unit}', () => key, (v) => ({ name: v }), '/name'],
    ['POST', '/v1/api-keys', () => key, (v) => ({ name: v, scopes: ['ratings:read'] }), '/name'],
    ['POST', '/v1/partner-clients', () => key, (v) => ({ name: v, scopes: ['ratings:read'] }), '/name'],
    ['POST', '/v1/external-ratings', () => key, (v) => externalRating(unitId, { comment: v }), '/comment'],
    ['POST', '/v1/external-ratings', () => key, (v) => externalRating(unitId, { customerRef: v }), '/customerRef'],
  ];
  test.each(cases)('%s %s', async (method, path, credential, body, pointer) => {
    const response = await api(path.replace('{unit}', unitId), { method, key: credential(), json: body(value) });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors?.map((error) => error.pointer)).toEqual([pointer]);
  });

});

test('a customerRef with NUL in the query is a 400 naming it', async () => {
  const response = await api('/v1/external-ratings?customerRef=a%00b', { method: 'DELETE', key });
  expect(response.status).toBe(400);
  expect((await problemOf(response)).errors?.map((error) => error.pointer)).toEqual(['/customerRef']);
});

test('emoji (paired surrogates) stay welcome', async () => {
  const response = await api('/v1/units', { method: 'POST', key, json: { name: 'Café 😀', kind: 'touchpoint' } });
  expect(response.status).toBe(201);
  expect(((await response.json()) as { name: string }).name).toBe('Café 😀');
});

// Two runs of the benchmark job at once (the cron and the operator, say) both replaced the period's
// snapshot; the later insert hit the period's unique key and that run was recorded as failed.
test('benchmark jobs run at the same time all succeed', async () => {
  const bodies = await Promise.all(Array.from({ length: 4 }, () => runBenchmarkJob({ at: '2026-02-01T00:00:00Z' })));
  expect(bodies.map(({ status, error }) => `${status} ${error ?? ''}`.trim())).toEqual(Array(4).fill('succeeded'));
});

// The job took any `at`: one in 2187 made a snapshot of a month that has not happened, which then
// stood as the latest one that GET /v1/benchmarks reads by default, hiding every real snapshot.
test('the benchmark job refuses an instant in the future', async () => {
  const response = await api('/v1/admin/jobs/benchmarks', { method: 'POST', key: operatorToken, json: { at: '2187-10-15T00:00:00Z' } });
  expect(response.status).toBe(422);
  expect((await problemOf(response)).errors?.map((error) => error.pointer)).toEqual(['/at']);
});

// job_runs.trigger was free text while GET /v1/admin/job-runs documents cron | operator: a row with
// anything else (a test's own insert) made the listing contradict its schema. The column is an enum now.
test('a job run can only have a trigger the API documents', async () => {
  const owner = ownerPool();
  try {
    await expect(
      owner.query(`insert into job_runs (id, job, trigger, status) values (gen_random_uuid(), 'benchmarks', 'test', 'succeeded')`),
    ).rejects.toMatchObject({ code: '22P02' });
  } finally {
    await owner.end();
  }
});
