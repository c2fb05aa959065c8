/**
 * Issue 19, HTTP as generic clients expect it: conditional GET on reports, benchmarks and charts (a poll
 * that changed nothing is a 304, computed from the data's version, not from the answer), `Link` on
 * every paged list, a favicon, and a real SVG as the chart's documented example.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  assertWellFormedSvg,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  roundTrips,
  runBenchmarkJob,
  type Unit,
} from './helpers.ts';

const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

let tenant: CreatedTenant;
let unit: Unit;
beforeAll(async () => {
  tenant = await createTenant({ name: 'Conditional reads' });
  unit = await createUnit(tenant.apiKey.secret);
  await createExternalRatings(tenant.apiKey.secret, [externalRating(unit.id)]);
});

const get = (path: string, headers: Record<string, string> = {}) => api(path, { key: tenant.apiKey.secret, headers });

describe.each(['/v1/scorecard?interval=month', '/v1/scorecard?interval=week&split=customerKind', '/v1/diagnostics'])('%s', (path) => {
  test('a second read with If-None-Match is a 304 without a body, in one batch after authentication', async () => {
    const first = await get(path);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    const before = await roundTrips();
    const second = await get(path, { 'If-None-Match': etag });
    expect(await roundTrips()).toBe(before + 1);
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
    expect(second.headers.get('etag')).toBe(etag);
    // Weak comparison (RFC 9110 §13.1.2) and a list both match.
    expect((await get(path, { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    expect((await get(path, { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  test('a new rating changes the tag, and the next conditional read is a 200', async () => {
    const etag = (await get(path)).headers.get('etag')!;
    await createExternalRatings(tenant.apiKey.secret, [externalRating(unit.id, { overall: 2 })]);
    const after = await get(path, { 'If-None-Match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });
});

test('the query is part of the tag: another unit is another representation', async () => {
  const other = await createUnit(tenant.apiKey.secret);
  const whole = (await get('/v1/scorecard')).headers.get('etag')!;
  expect((await get(`/v1/scorecard?unitId=${other.id}`, { 'If-None-Match': whole })).status).toBe(200);
});

describe('benchmarks and their chart', () => {
  // The job runs as a Workflow: wait for its run to end, so the next read sees the new snapshot.
  const runJob = async () => {
    expect(await runBenchmarkJob()).toMatchObject({ status: 'succeeded' });
  };
  beforeAll(runJob);

  test.each(['/v1/benchmarks', '/v1/benchmarks/chart.svg'])('%s: 304 while the snapshot stands, 200 after a new one', async (path) => {
    const url = `${path}?measure=csat&cohort=all&period=month`;
    const first = await get(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await get(url, { 'If-None-Match': etag })).status).toBe(304);
    // The same snapshot, another measure: another answer.
    expect((await get(url.replace('csat', 'nps'), { 'If-None-Match': etag })).status).toBe(200);
    await runJob();
    const after = await get(url, { 'If-None-Match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });
});

test('every paged list links its next page (RFC 8288), and the last page links none', async () => {
  await createUnit(tenant.apiKey.secret);
  const first = await get('/v1/units?limit=1');
  const link = first.headers.get('link')!;
  expect(link).toMatch(/^<\/v1\/units\?limit=1&cursor=[\w-]+>; rel="next"$/);
  const { nextCursor } = (await first.json()) as { nextCursor: string };
  expect(link).toContain(`cursor=${nextCursor}`);
  const seen = [];
  let next: string | undefined = link.slice(1, link.indexOf('>'));
  while (next) {
    const page = await get(next);
    seen.push(page.status);
    const header = page.headers.get('link');
    next = header ? header.slice(1, header.indexOf('>')) : undefined;
  }
  expect(seen.every((status) => status === 200)).toBe(true);
  // Parameters the operation does not know are ignored, not echoed: they could only push the header past its documented 2,048.
  const padded = await get(`/v1/units?limit=1&archived=false&junk=${'x'.repeat(3_000)}`);
  expect(padded.headers.get('link')).toMatch(/^<\/v1\/units\?limit=1&archived=false&cursor=[\w-]+>; rel="next"$/);
  expect(seen.length).toBeGreaterThanOrEqual(2);

  // Documented on every list.
  const lists = Object.entries(document.paths).flatMap(([path, ops]: [string, any]) =>
    ops.get?.responses?.['200']?.content?.['application/json']?.schema?.$ref?.endsWith('Page') ? [[path, ops.get]] : [],
  );
  expect(lists.length).toBeGreaterThanOrEqual(7);
  for (const [path, op] of lists) expect(op.responses['200'].headers?.Link, path).toBeDefined();
});

test('/favicon.ico is a small icon', async () => {
  const response = await api('/favicon.ico');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
  expect(bytes.length).toBeLessThan(4096);
});

test("the chart operation's documented 200 example is a real SVG", () => {
  const example = document.paths['/v1/benchmarks/chart.svg'].get.responses['200'].content['image/svg+xml'].example;
  expect(typeof example).toBe('string');
  assertWellFormedSvg(example);
});
