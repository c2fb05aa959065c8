import { PgDialect } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { EXTERNAL_ROLLUP, rollupRows } from '../../worker/db/rollups.ts';
import {
  api,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  issueApiKey,
  listAll,
  ownerPool,
  problemOf,
  roundTrips,
} from './helpers.ts';

const owner = ownerPool();

interface Rating {
  id: string;
  unitId: string;
  occurredAt: string;
  customerKind: string;
  channel: string;
  blamedComponent: string | null;
  comment: string | null;
  hasCustomerRef: boolean;
  [field: string]: unknown;
}

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const newestFirst = (ids: string[]) => [...ids].sort().reverse();

/** A small RFC 4180 parser, independent of the one under test: records of fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') record.push(field), (field = '');
    else if (char === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += char;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

/** Tenant with a small, varied set of ratings for filters and lookups. */
let tenant: CreatedTenant;
let readKey: string;
let unitA: string;
let unitB: string;
const seeded: Rating[] = [];

beforeAll(async () => {
  tenant = await createTenant({ name: 'Ratings reader' });
  readKey = (await issueApiKey(tenant.apiKey.secret, { scopes: ['ratings:read'] })).secret;
  unitA = (await createUnit(tenant.apiKey.secret, { name: 'Branch A' })).id;
  unitB = (await createUnit(tenant.apiKey.secret, { name: 'Branch B' })).id;
  const items = [
    externalRating(unitA, { occurredAt: hoursAgo(50), customerKind: 'occasional', channel: 'in-person' }),
    externalRating(unitA, { occurredAt: hoursAgo(40), customerKind: 'recurring', channel: 'phone', overall: 2, blamedComponent: 'procedures', blamesAttitude: true }),
    externalRating(unitB, { occurredAt: hoursAgo(30), customerKind: 'occasional', channel: 'email', overall: 1, blamedComponent: 'people' }),
    externalRating(unitB, { occurredAt: hoursAgo(20), customerKind: 'recurring', channel: 'in-person', customerRef: 'crm-1', comment: 'ok' }),
    externalRating(unitA, { occurredAt: hoursAgo(10), customerKind: 'occasional', channel: 'phone', overall: 3, blamedComponent: 'people' }),
    externalRating(unitB, { occurredAt: hoursAgo(5), customerKind: 'recurring', channel: 'chat' }),
  ];
  const ids = await createExternalRatings(tenant.apiKey.secret, items);
  const all = await listAll<Rating>('/v1/external-ratings', readKey);
  seeded.push(...ids.map((id) => all.find((rating) => rating.id === id)!));
});

describe('GET /v1/external-ratings', () => {
  test('lists the tenant’s ratings newest first, with hasCustomerRef and never the hash', async () => {
    const response = await api('/v1/external-ratings', { key: readKey });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { data: Rating[]; nextCursor: string | null };
    expect(page.data.map((r) => r.id)).toEqual(newestFirst(seeded.map((r) => r.id)));
    expect(page.nextCursor).toBeNull();
    const withRef = page.data.find((r) => r.comment === 'ok')!;
    expect(withRef).toMatchObject({ unitId: unitB, customerKind: 'recurring', hasCustomerRef: true, overall: 4, quality: 4 });
    expect(Object.keys(withRef).sort()).toEqual(
      [
        'id', 'unitId', 'occurredAt', 'receivedAt', 'quality', 'quantity', 'opportunity', 'cost', 'overall', 'recommend', 'effort',
        'customerKind', 'channel', 'blamedComponent', 'blamesAttitude', 'comment', 'hasCustomerRef',
      ].sort(),
    );
    const { rows } = await owner.query('select customer_ref_hash from external_ratings where id = $1', [withRef.id]);
    expect(JSON.stringify(page)).not.toContain(rows[0].customer_ref_hash);
    expect(JSON.stringify(page)).not.toContain('crm-1');
  });

  /** Each filter, the value to pass (known once the seed exists) and which seeded ratings it keeps. */
  const FILTERS: [name: string, value: () => string, keep: (rating: Rating, value: string) => boolean][] = [
    ['unitId', () => unitB, (r, value) => r.unitId === value],
    ['customerKind', () => 'recurring', (r, value) => r.customerKind === value],
    ['channel', () => 'phone', (r, value) => r.channel === value],
    ['blamedComponent', () => 'people', (r, value) => r.blamedComponent === value],
    ['from', () => seeded[2]!.occurredAt, (r, value) => r.occurredAt >= value],
    ['to', () => seeded[2]!.occurredAt, (r, value) => r.occurredAt < value],
  ];

  test.each(FILTERS)('filters by %s, across pages', async (name, valueOf, keep) => {
    const value = valueOf();
    const found = await listAll<Rating>(`/v1/external-ratings?${name}=${encodeURIComponent(value)}`, readKey, 2);
    const expected = newestFirst(seeded.filter((rating) => keep(rating, value)).map((r) => r.id));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(seeded.length);
    expect(found.map((r) => r.id)).toEqual(expected);
  });

  test('combines filters: from inclusive, to exclusive, and the others', async () => {
    const query = new URLSearchParams({ from: seeded[1]!.occurredAt, to: seeded[4]!.occurredAt, customerKind: 'recurring' });
    const found = await listAll<Rating>(`/v1/external-ratings?${query}`, readKey);
    expect(found.map((r) => r.id)).toEqual(newestFirst([seeded[1]!.id, seeded[3]!.id]));
  });

  test('from equal to to is an empty range, not an error', async () => {
    const at = encodeURIComponent(seeded[0]!.occurredAt);
    const response = await api(`/v1/external-ratings?from=${at}&to=${at}`, { key: readKey });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toEqual([]);
  });

  test.each([
    ['limit=201', '/limit'],
    ['limit=0', '/limit'],
    [`from=${encodeURIComponent(hoursAgo(1))}&to=${encodeURIComponent(hoursAgo(2))}`, '/to'],
    ['from=yesterday', '/from'],
    ['unitId=not-a-uuid', '/unitId'],
    ['channel=fax', '/channel'],
    ['cursor=bogus', '/cursor'],
  ])('refuses %s with a 400 at %s', async (query, pointer) => {
    const response = await api(`/v1/external-ratings?${query}`, { key: readKey });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toContain(pointer);
  });

  test('needs ratings:read', async () => {
    const writer = await issueApiKey(tenant.apiKey.secret, { scopes: ['ratings:write'] });
    for (const path of ['/v1/external-ratings', `/v1/external-ratings/${seeded[0]!.id}`, '/v1/external-ratings/export.csv']) {
      const response = await api(path, { key: writer.secret });
      expect(response.status, path).toBe(403);
      await problemOf(response);
    }
  });
});

describe('GET /v1/external-ratings/{id}', () => {
  test('answers the tenant’s own rating as the list shows it', async () => {
    const response = await api(`/v1/external-ratings/${seeded[3]!.id}`, { key: readKey });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(seeded[3]);
  });

  test('another tenant’s rating, an unknown id and a malformed id are all 404', async () => {
    const other = await createTenant({ name: 'Other reader' });
    for (const id of [seeded[0]!.id, '01a209a4-ba5b-7b50-b9e2-1ae7dfb2a0fe', 'nope']) {
      const response = await api(`/v1/external-ratings/${id}`, { key: other.apiKey.secret });
      expect(response.status, id).toBe(404);
      await problemOf(response);
    }
  });
});

describe('pagination and export of many ratings', () => {
  let big: CreatedTenant;
  let ids: string[];
  beforeAll(async () => {
    big = await createTenant({ name: 'Big exporter' });
    const unit = (await createUnit(big.apiKey.secret)).id;
    ids = [];
    for (let batch = 0; batch < 3; batch++) {
      const size = batch < 2 ? 1000 : 500;
      const items = Array.from({ length: size }, (_, i) => externalRating(unit, { occurredAt: hoursAgo(1 + (i % 48)), comment: `row ${batch}-${i}` }));
      ids.push(...(await createExternalRatings(big.apiKey.secret, items)));
    }
  });

  test('pages of up to 200 cover every rating once, newest first; the default page is 50', async () => {
    const first = await api('/v1/external-ratings', { key: big.apiKey.secret });
    const page = (await first.json()) as { data: Rating[]; nextCursor: string | null };
    expect(page.data).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    const all = await listAll<Rating>('/v1/external-ratings', big.apiKey.secret, 200);
    expect(all.map((r) => r.id)).toEqual(newestFirst(ids));
  });

  test('a 2,500-row export arrives complete, one round trip per 1,000 rows', async () => {
    const before = await roundTrips();
    const response = await api('/v1/external-ratings/export.csv', { key: big.apiKey.secret });
    expect(response.status).toBe(200);
    const body = await response.text();
    // Pages of 1,000, 1,000 and 500, the credential check leading the first.
    expect((await roundTrips()) - before).toBe(3);
    const lines = body.split('\r\n');
    expect(lines).toHaveLength(2502);
    expect(lines.at(-1)).toBe('');
    expect(new Set(lines.slice(1, -1).map((line) => line.split(',')[0])).size).toBe(2500);
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual(newestFirst(ids));
  });
});

describe('GET /v1/external-ratings/export.csv', () => {
  let exporter: CreatedTenant;
  let unit: string;
  let otherUnit: string;
  const comments = ['Slow, but "fine"\nsecond line', '=HYPERLINK("http://evil","x")', '+1', '-1', '@SUM(A1)', 'plain'];
  beforeAll(async () => {
    exporter = await createTenant({ name: 'Exporter' });
    unit = (await createUnit(exporter.apiKey.secret)).id;
    otherUnit = (await createUnit(exporter.apiKey.secret)).id;
    await createExternalRatings(exporter.apiKey.secret, [
      ...comments.map((comment, i) => externalRating(unit, { comment, occurredAt: hoursAgo(i + 1), customerRef: i === 0 ? 'crm-9' : undefined })),
      externalRating(otherUnit, { comment: null, overall: 2, blamedComponent: 'facilities', recommend: 3 }),
    ]);
  });

  const exportOf = (query = '') => api(`/v1/external-ratings/export.csv${query}`, { key: exporter.apiKey.secret });

  test('streams a header and one RFC 4180 record per rating, as an attachment', async () => {
    const response = await exportOf();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="external-ratings-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await response.text();
    expect(text).toContain('"Slow, but ""fine""\nsecond line"');
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([
      'id', 'unitId', 'occurredAt', 'receivedAt', 'quality', 'quantity', 'opportunity', 'cost', 'overall', 'recommend', 'effort',
      'customerKind', 'channel', 'blamedComponent', 'blamesAttitude', 'comment', 'hasCustomerRef',
    ]);
    expect(records).toHaveLength(comments.length + 1);
    const listed = await listAll<Rating>('/v1/external-ratings', exporter.apiKey.secret);
    expect(records.map((r) => r[0])).toEqual(listed.map((r) => r.id));
    // Fields as the JSON shows them; nulls empty.
    const column = (name: string) => header!.indexOf(name);
    const blamed = records.find((r) => r[column('unitId')] === otherUnit)!;
    expect(blamed[column('blamedComponent')]).toBe('facilities');
    expect(blamed[column('comment')]).toBe('');
    expect(blamed[column('quantity')]).toBe('');
    expect(blamed[column('recommend')]).toBe('3');
    const first = records.find((r) => r[column('hasCustomerRef')] === 'true')!;
    expect(first[column('comment')]).toBe(comments[0]);
    expect(text).not.toContain('crm-9');
  });

  test('neutralizes spreadsheet formulas in comments with a leading apostrophe', async () => {
    const [header, ...records] = parseCsv(await (await exportOf()).text());
    const exported = records.map((r) => r[header!.indexOf('comment')]);
    expect(exported).toEqual(
      expect.arrayContaining(["'=HYPERLINK(\"http://evil\",\"x\")", "'+1", "'-1", "'@SUM(A1)", 'plain']),
    );
  });

  test('applies the list’s filters', async () => {
    const [, ...byUnit] = parseCsv(await (await exportOf(`?unitId=${otherUnit}`)).text());
    expect(byUnit).toHaveLength(1);
    const [header, ...recent] = parseCsv(await (await exportOf(`?unitId=${unit}&from=${encodeURIComponent(hoursAgo(2.5))}`)).text());
    expect(recent.map((r) => r[header!.indexOf('comment')])).toEqual(["'=HYPERLINK(\"http://evil\",\"x\")", comments[0]]);
    const [, ...none] = parseCsv(await (await exportOf('?channel=chat')).text());
    expect(none).toEqual([]);
  });

  test('refuses bad filters with a problem, before any CSV', async () => {
    const response = await exportOf(`?from=${encodeURIComponent(hoursAgo(1))}&to=${encodeURIComponent(hoursAgo(2))}`);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/to']);
  });
});

describe('DELETE /v1/external-ratings?customerRef=', () => {
  let eraser: CreatedTenant;
  let units: string[];
  const dialect = new PgDialect({ casing: 'snake_case' });

  const rollupsOf = async (tenantId: string) => {
    const stored = await owner.query('select * from external_rollups where tenant_id = $1', [tenantId]);
    const recomputed = dialect.sqlToQuery(rollupRows(EXTERNAL_ROLLUP, tenantId, sql`external_ratings as r where r.tenant_id = ${tenantId}`));
    const fromRaw = await owner.query(recomputed.sql, recomputed.params);
    // count() is bigint, the table's columns integer: compare as text, in a fixed order.
    const normalize = (rows: Record<string, unknown>[]) =>
      rows
        .map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : String(value)])))
        .sort((a, b) => `${a.unit_id}${a.day}${a.customer_kind}`.localeCompare(`${b.unit_id}${b.day}${b.customer_kind}`));
    return { stored: normalize(stored.rows), recomputed: normalize(fromRaw.rows) };
  };

  const erase = (customerRef: string, key = eraser.apiKey.secret) =>
    api(`/v1/external-ratings?customerRef=${encodeURIComponent(customerRef)}`, { method: 'DELETE', key });

  beforeAll(async () => {
    eraser = await createTenant({ name: 'Eraser' });
    units = [(await createUnit(eraser.apiKey.secret)).id, (await createUnit(eraser.apiKey.secret)).id];
    const [u0, u1] = units as [string, string];
    await createExternalRatings(eraser.apiKey.secret, [
      // Alice alone on u1 three days ago: erasing her must remove that rollup row entirely.
      externalRating(u1, { customerRef: 'alice', occurredAt: hoursAgo(72), overall: 1, blamedComponent: 'people', blamesAttitude: true, recommend: 2 }),
      externalRating(u0, { customerRef: 'alice', occurredAt: hoursAgo(1), customerKind: 'recurring', recommend: 10, cost: 3 }),
      externalRating(u0, { customerRef: 'alice', occurredAt: hoursAgo(1), quantity: 5 }),
      externalRating(u0, { customerRef: 'bob', occurredAt: hoursAgo(1), overall: 2, blamesAttitude: false, recommend: 6 }),
      externalRating(u0, { customerRef: 'bob', occurredAt: hoursAgo(1), customerKind: 'recurring' }),
      externalRating(u0, { occurredAt: hoursAgo(1), opportunity: 2 }),
      externalRating(u1, { occurredAt: hoursAgo(1), overall: 5, recommend: 9 }),
    ]);
  });

  test('erases exactly that customer’s ratings, corrects the rollups and audits the count, in one batch', async () => {
    const { rows: hashes } = await owner.query(
      `select distinct customer_ref_hash from external_ratings where tenant_id = $1 and customer_ref_hash is not null`,
      [eraser.tenant.id],
    );
    // The same reference at another tenant is another customer.
    const neighbour = await createTenant({ name: 'Neighbour' });
    const [neighbours] = await createExternalRatings(neighbour.apiKey.secret, [
      externalRating((await createUnit(neighbour.apiKey.secret)).id, { customerRef: 'alice' }),
    ]);
    const before = await listAll<Rating>('/v1/external-ratings', eraser.apiKey.secret);
    const rowsOfSecondUnit = async () => (await rollupsOf(eraser.tenant.id)).stored.filter((row) => row.unit_id === units[1]);
    expect(await rowsOfSecondUnit()).toHaveLength(2);

    const trips = await roundTrips();
    const response = await erase('alice');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ erased: 3 });
    expect((await roundTrips()) - trips).toBe(1);

    const after = await listAll<Rating>('/v1/external-ratings', eraser.apiKey.secret);
    expect(after).toHaveLength(before.length - 3);
    expect(after).toEqual(before.filter((rating) => after.some((kept) => kept.id === rating.id)));
    const { rows: left } = await owner.query('select count(*)::int as n from external_ratings where tenant_id = $1 and customer_ref_hash is not null', [eraser.tenant.id]);
    expect(left[0].n).toBe(2);
    expect((await api(`/v1/external-ratings/${neighbours}`, { key: neighbour.apiKey.secret })).status).toBe(200);

    const { stored, recomputed } = await rollupsOf(eraser.tenant.id);
    expect(stored).toEqual(recomputed);
    // Alice's day alone on the second unit is gone, not left at zero.
    expect(await rowsOfSecondUnit()).toHaveLength(1);

    const { rows: events } = await owner.query(
      `select * from audit_events where tenant_id = $1 and action = 'external_ratings.erased'`,
      [eraser.tenant.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'api_key', actor_id: eraser.apiKey.id, request_id: response.headers.get('x-request-id'), details: { count: 3 } });
    const recorded = JSON.stringify(events[0]);
    expect(recorded).not.toContain('alice');
    for (const { customer_ref_hash } of hashes) expect(recorded).not.toContain(customer_ref_hash);
  });

  test('a customer with no ratings (or erased already) is erased: 0, and the request is still audited', async () => {
    for (const ref of ['nobody', 'alice']) {
      const response = await erase(ref);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ erased: 0 });
      const { rows } = await owner.query(`select details from audit_events where request_id = $1`, [response.headers.get('x-request-id')]);
      expect(rows).toEqual([{ details: { count: 0 } }]);
    }
    const { stored, recomputed } = await rollupsOf(eraser.tenant.id);
    expect(stored).toEqual(recomputed);
  });

  test('after erasing the last customer too, the rollups still equal a recomputation', async () => {
    expect(await (await erase('bob')).json()).toEqual({ erased: 2 });
    const { stored, recomputed } = await rollupsOf(eraser.tenant.id);
    expect(stored).toEqual(recomputed);
    expect(stored.length).toBeGreaterThan(0);
  });

  test.each([
    ['a missing customerRef', ''],
    ['an empty customerRef', '?customerRef='],
    ['a customerRef of 257 characters', `?customerRef=${'x'.repeat(257)}`],
  ])('refuses %s with a 400', async (_, query) => {
    const response = await api(`/v1/external-ratings${query}`, { method: 'DELETE', key: eraser.apiKey.secret });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/customerRef']);
  });

  test('needs ratings:write', async () => {
    const reader = await issueApiKey(eraser.apiKey.secret, { scopes: ['ratings:read'] });
    const response = await erase('anyone', reader.secret);
    expect(response.status).toBe(403);
    await problemOf(response);
  });
});
