/**
 * Issue 16: the API never makes a database request Neon would refuse (10 MiB, enforced by the local
 * endpoint as Neon does). A write whose one request would not fit is refused up front with 413
 * problem+json naming the limit; a valid write that fits goes through; the writes whose bodies
 * cannot grow past the cap are measured at their worst case.
 */
import { describe, expect, inject, test } from 'vitest';
import { createDatabase } from '../../worker/db/client.ts';
import { insertExternalRatings, type NewExternalRating } from '../../worker/db/external-ratings.ts';
import { insertInternalRatings, type NewInternalRating } from '../../worker/db/internal-ratings.ts';
import { batchRequestBytes, NEON_MAX_REQUEST_BYTES, NEON_MAX_RESPONSE_BYTES } from '../../worker/db/neon-limits.ts';
import { MAX_BATCH_ITEMS } from '../../worker/routes/external-ratings/schemas.ts';
import { seedInternalRatings } from '../lib/internal-seed.ts';
import { api, createTenant, createUnit, externalRating, internalRating, ownerPool, problemOf } from './helpers.ts';

const owner = ownerPool();
const endpointUrl = inject('endpointUrl');

interface Stats {
  largestRequestBytes: number;
  tooLargeRequests: number;
}
const stats = async () => (await (await fetch(`${endpointUrl}/_stats`)).json()) as Stats;
const resetStats = () => fetch(`${endpointUrl}/_stats/reset`, { method: 'POST' });

async function ratingsOf(tenantId: string): Promise<number> {
  const { rows } = await owner.query<{ n: number }>('select count(*)::int as n from external_ratings where tenant_id = $1', [tenantId]);
  return rows[0]!.n;
}

describe('POST /v1/external-ratings/batch within the database request limit', () => {
  test('1,000 ratings with 2,000-character comments full of quotes (about 4 MiB of JSON) are refused up front: 413 naming the limit', async () => {
    const { tenant, apiKey } = await createTenant({ name: 'Quoted comments' });
    const unit = await createUnit(apiKey.secret);
    const comment = '"'.repeat(1990) + 'said "no"';
    const items = Array.from({ length: MAX_BATCH_ITEMS }, () => externalRating(unit.id, { comment: comment.slice(0, 2000) }));
    const body = JSON.stringify({ items });
    expect(body.length).toBeGreaterThan(4_000_000);
    await resetStats();

    const response = await api('/v1/external-ratings/batch', { method: 'POST', key: apiKey.secret, headers: { 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(413);
    const problem = await problemOf(response);
    expect(problem.type).toMatch(/payload-too-large$/);
    expect(problem.detail).toContain(`at most ${NEON_MAX_REQUEST_BYTES} bytes`);
    // Refused before any round trip: the endpoint never saw a request it would refuse.
    expect((await stats()).tooLargeRequests).toBe(0);
    expect(await ratingsOf(tenant.id)).toBe(0);
  });

  test('1,000 ratings with 2,000-character plain comments fit, and their request stays under the cap', async () => {
    const { tenant, apiKey } = await createTenant({ name: 'Plain comments' });
    const unit = await createUnit(apiKey.secret);
    const items = Array.from({ length: MAX_BATCH_ITEMS }, () => externalRating(unit.id, { comment: 'Friendly staff, slow queue. '.repeat(72).slice(0, 2000) }));
    await resetStats();
    const response = await api('/v1/external-ratings/batch', { method: 'POST', key: apiKey.secret, json: { items } });
    expect(response.status).toBe(201);
    const { largestRequestBytes, tooLargeRequests } = await stats();
    expect(tooLargeRequests).toBe(0);
    expect(largestRequestBytes).toBeGreaterThan(2_000_000);
    expect(largestRequestBytes).toBeLessThanOrEqual(NEON_MAX_REQUEST_BYTES);
    expect(await ratingsOf(tenant.id)).toBe(MAX_BATCH_ITEMS);
  });
});

describe('worst cases measured', () => {
  const db = createDatabase({ DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db' });
  const tenantId = crypto.randomUUID();

  test('the internal ratings batch (no free text) is far under the cap at 1,000 items of the widest values', () => {
    const worst: NewInternalRating = {
      id: crypto.randomUUID(), unit_id: crypto.randomUUID(), occurred_on: '2026-12-31',
      commitments: 5, internal_culture: 5, empowerment: 5, recognition: 5, leadership_support: 5,
      knowledge: 5, ability: 5, willingness: 5, tenure_band: 'established', role: 'frontline', recommend_employer: 10,
    };
    const bytes = batchRequestBytes(insertInternalRatings(db, tenantId, Array.from({ length: 1000 }, () => ({ ...worst, id: crypto.randomUUID() }))));
    expect(bytes).toBeLessThan(NEON_MAX_REQUEST_BYTES / 4);
  });

  test('a single external rating, comment and customerRef at their longest of the heaviest character, is far under the cap', () => {
    const rating: NewExternalRating = {
      id: crypto.randomUUID(), unit_id: crypto.randomUUID(), occurred_at: new Date().toISOString(), quality: 5, quantity: 5,
      opportunity: 5, cost: 5, overall: 5, recommend: 10, customer_kind: 'occasional', channel: 'in-person',
      blamed_component: 'procedures', blames_attitude: true, comment: '\u0001'.repeat(2000), customer_ref_hash: 'x'.repeat(64),
    };
    expect(batchRequestBytes(insertExternalRatings(db, tenantId, [rating], new Date()))).toBeLessThan(100_000);
  });

  test('the size a batch is measured at is what the driver sends', async () => {
    const { apiKey } = await createTenant({ name: 'Measured request' });
    const unit = await createUnit(apiKey.secret);
    await resetStats();
    expect((await api('/v1/external-ratings/batch', { method: 'POST', key: apiKey.secret, json: { items: [externalRating(unit.id, { comment: 'a "quoted" \\ comment' })] } })).status).toBe(201);
    // The route's statements plus set_config and the idempotency claim: within the envelope the guard leaves.
    const measured = batchRequestBytes(insertExternalRatings(db, tenantId, [{
      id: crypto.randomUUID(), unit_id: unit.id, occurred_at: new Date().toISOString(), quality: 4, quantity: null, opportunity: null,
      cost: null, overall: 4, recommend: null, customer_kind: 'occasional', channel: 'in-person', blamed_component: null,
      blames_attitude: null, comment: 'a "quoted" \\ comment', customer_ref_hash: null,
    }], new Date()));
    const sent = (await stats()).largestRequestBytes;
    expect(sent).toBeGreaterThan(measured);
    expect(sent - measured).toBeLessThan(256 * 1024);
  });
});

describe('reads at a large tenant stay within the response cap', () => {
  test('diagnostics reads every unit’s totals in one request: measured per unit, 8,000 units with one ended month fit', async () => {
    const { apiKey, tenant } = await createTenant({ name: 'Many units' });
    const UNITS = 40;
    const units = [];
    for (let i = 0; i < UNITS; i++) units.push(await createUnit(apiKey.secret, { name: `Unit ${i}` }));
    const day = new Date(Date.now() - 40 * 86_400_000);
    const occurredAt = day.toISOString();
    const items = units.flatMap((unit) => [
      externalRating(unit.id, { occurredAt, customerKind: 'occasional', overall: 2, blamesAttitude: true, blamedComponent: 'people', recommend: 3, quantity: 2, opportunity: 3, cost: 4 }),
      externalRating(unit.id, { occurredAt, customerKind: 'recurring', overall: 5, recommend: 10 }),
    ]);
    expect((await api('/v1/external-ratings/batch', { method: 'POST', key: apiKey.secret, json: { items } })).status).toBe(201);
    const occurredOn = occurredAt.slice(0, 10);
    const answers = units.flatMap((unit) => [
      internalRating(unit.id, { occurredOn, tenureBand: 'new' }),
      internalRating(unit.id, { occurredOn, tenureBand: 'established', role: 'support' }),
    ]);
    // Internal ratings of an ended month, as the pool loader writes them (the API takes only the current month's).
    await seedInternalRatings(owner, tenant.id, answers);
    // Diagnostics answer whole periods: the calendar month of those ratings.
    const from = `${occurredOn.slice(0, 7)}-01`;
    const to = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const largestAnswerPerUnit = async () => {
      await resetStats();
      expect((await api(`/v1/diagnostics?from=${from}&to=${to}`, { key: apiKey.secret })).status).toBe(200);
      return ((await stats()) as Stats & { largestResponseBytes: number }).largestResponseBytes / UNITS;
    };
    // The figures dominate: four rows of totals per unit (customer kind, tenure band). The first read also plans
    // the disclosure rule from its inputs (respondents per unit × ended month × tenure × role, which grow with
    // months of history); later reads carry the stored plan instead, 6 letters per unit and period
    // (worker/db/disclosure.ts). Measured, not assumed: about 0.9 KB per unit either way here.
    const planning = await largestAnswerPerUnit();
    const planned = await largestAnswerPerUnit();
    console.log(`diagnostics: per unit ${planning.toFixed(0)} bytes of database answer while planning, ${planned.toFixed(0)} once planned`);
    for (const perUnit of [planning, planned]) expect(perUnit * 8_000).toBeLessThan(NEON_MAX_RESPONSE_BYTES);
  });
});

test('the CSV export pages within the cap: 1,000 rows of the heaviest comments (2,000 three-byte characters) per round trip', async () => {
  const { apiKey } = await createTenant({ name: 'Heavy export' });
  const unit = await createUnit(apiKey.secret);
  const comment = '服'.repeat(2000);
  for (let batch = 0; batch < 3; batch++) {
    const items = Array.from({ length: 500 }, () => externalRating(unit.id, { comment }));
    expect((await api('/v1/external-ratings/batch', { method: 'POST', key: apiKey.secret, json: { items } })).status).toBe(201);
  }
  await resetStats();
  const response = await api('/v1/external-ratings/export.csv', { key: apiKey.secret });
  expect(response.status).toBe(200);
  expect((await response.text()).split('\n').length).toBeGreaterThan(1500);
  const { largestResponseBytes, tooLargeResponses } = (await stats()) as Stats & { largestResponseBytes: number; tooLargeResponses: number };
  expect(tooLargeResponses).toBe(0);
  expect(largestResponseBytes).toBeGreaterThan(6_000_000);
  expect(largestResponseBytes).toBeLessThan(NEON_MAX_RESPONSE_BYTES);
});
