/**
 * Issue 17 item 3: the unit heatmap through the real worker. Each cell is the scorecard's figure for
 * that unit (its subtree); internal cells are withheld exactly as the scorecard withholds them, by the
 * shared disclosure rule (too few respondents, and a unit that would reveal such a group by
 * subtraction); another tenant's units never appear; a window that is not a whole period is a 4xx.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import {
  api,
  assertWellFormedSvg,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  issueApiKey,
  ownerPool,
  problemOf,
  runBenchmarkJob,
} from './helpers.ts';

const pool = ownerPool();
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;
const at = (offset: number, day: number) => `${dayOfMonth(offset, day)}T10:00:00.000Z`;

type Cell = { value: number | null; n: number | null; withheld: string | null; change: { significant: boolean; difference: number } | null; cohort: { reason: string | null } };
type Row = { unit: { id: string; name: string }; cells: Record<string, Cell> };
type Heatmap = { benchmark: { snapshotId: string } | null; period: { kind: string; from: string; to: string }; measures: { measure: string }[]; data: Row[]; nextCursor: string | null };

let owner: CreatedTenant;
let reader: string;
/** A region over two stores: Store North (10 staff) and Store South (4 staff); a helpdesk with 12. */
const ids = { region: '', north: '', south: '', helpdesk: '' };

async function heatmap(query: string, key = reader): Promise<Heatmap> {
  const response = await api(`/v1/heatmap?${query}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Heatmap;
}
const rowOf = (body: Heatmap, id: string) => body.data.find((row) => row.unit.id === id)!;

beforeAll(async () => {
  owner = await createTenant({ name: 'Heatmap owner' });
  const admin = owner.apiKey.secret;
  reader = (await issueApiKey(admin, { scopes: ['reports:read'] })).secret;
  ids.region = (await createUnit(admin, { name: 'Region' })).id;
  ids.north = (await createUnit(admin, { name: 'Store North', parentId: ids.region })).id;
  ids.south = (await createUnit(admin, { name: 'Store South', parentId: ids.region })).id;
  ids.helpdesk = (await createUnit(admin, { name: 'IT helpdesk', kind: 'internal-supplier' })).id;
  // Clients: two months of each store, the north better last month.
  const external = [-2, -1].flatMap((offset) =>
    [ids.north, ids.south].flatMap((unit) =>
      Array.from({ length: 30 }, (_, i) =>
        externalRating(unit, { occurredAt: at(offset, 1 + (i % 27)), overall: unit === ids.north && offset === -1 ? 5 : i % 3 ? 4 : 2, quality: 3 + (i % 3), recommend: i % 11 }),
      ),
    ),
  );
  await createExternalRatings(admin, external);
  const staff = (unit: string, count: number, offset: number) =>
    Array.from({ length: count }, (_, i) => internalRating(unit, { occurredOn: dayOfMonth(offset, 2 + i), willingness: 3 + (i % 3), recommendEmployer: i % 11 }));
  await seedInternalRatings(pool, owner.tenant.id, [...staff(ids.north, 10, -1), ...staff(ids.south, 4, -1), ...staff(ids.helpdesk, 12, -1), ...staff(ids.helpdesk, 12, -2)]);
}, 60_000);

describe('GET /v1/heatmap', () => {
  test('every published cell is the scorecard’s figure for that unit, with its change', async () => {
    const body = await heatmap(PERIOD);
    expect(body.period).toEqual({ kind: 'month', from: monthStart(-1), to: monthStart(0) });
    expect(body.data.map((row) => row.unit.id).sort()).toEqual(Object.values(ids).sort());
    for (const id of Object.values(ids)) {
      const response = await api(`/v1/scorecard?interval=month&${PERIOD}&unitId=${id}`, { key: reader });
      const { external, internal } = ((await response.json()) as { periods: { external: Record<string, any>; internal: Record<string, any> }[] }).periods[0]!;
      const row = rowOf(body, id);
      for (const { measure } of body.measures) {
        const figure = external[measure] ?? internal[measure];
        const cell = row.cells[measure]!;
        if (figure.suppressed) {
          expect(cell, `${measure} of ${row.unit.name}`).toMatchObject({ value: null, n: null, withheld: figure.reason, change: null });
        } else {
          expect(cell.value, `${measure} of ${row.unit.name}`).toBe(figure.value);
          expect(cell.n).toBe(figure.n);
          expect(cell.change?.significant ?? null).toBe(figure.change?.significant ?? null);
        }
      }
    }
    // The north's CSAT jumped from 2/3 to 1: a significant change, as the scorecard says.
    expect(rowOf(body, ids.north).cells.csat).toMatchObject({ value: 1, change: { significant: true } });
  });

  test('give to get: a tenant outside the benchmark sees no median, and each cell says why', async () => {
    const before = await heatmap(PERIOD);
    // Unless another file of this run computed one, no benchmark exists for the period yet.
    if (before.benchmark === null) expect(rowOf(before, ids.north).cells.csat!.cohort).toEqual({ median: null, difference: null, reason: 'no-snapshot' });
    expect((await runBenchmarkJob()).status).toBe('succeeded');
    const after = await heatmap(PERIOD);
    expect(after.benchmark).not.toBeNull();
    for (const row of after.data) {
      for (const cell of Object.values(row.cells)) expect(cell.cohort).toEqual({ median: null, difference: null, reason: 'not-counted' });
    }
  });

  test('a unit of 4 respondents is null with a reason, never 0; its sibling that would reveal it by subtraction is withheld too', async () => {
    const body = await heatmap(PERIOD);
    const south = rowOf(body, ids.south).cells;
    for (const measure of ['supportIndex', 'willingness', 'enps', 'leadershipSupport']) {
      expect(south[measure], measure).toMatchObject({ value: null, n: null, withheld: 'too-few-respondents' });
    }
    // Region (14) and North (10) would give South's 4 by subtraction: one of them is withheld as complementary.
    const [region, north] = [rowOf(body, ids.region).cells.supportIndex!, rowOf(body, ids.north).cells.supportIndex!];
    expect([region.withheld, north.withheld]).toContain('complementary');
    expect([region, north].filter((cell) => cell.value !== null)).toHaveLength(1);
    // External figures of the same unit are shown: clients are not protected by the staff rule.
    expect(south.csat!.value).not.toBeNull();
    // Not everything is hidden: the rule withholds what would isolate a few, and shows the rest.
    expect(body.data.filter((row) => row.cells.supportIndex!.value !== null).length).toBeGreaterThan(0);
  });

  test('the current month is withheld for staff as period-open', async () => {
    const body = await heatmap(`from=${monthStart(0)}&to=${monthStart(1)}`);
    expect(rowOf(body, ids.helpdesk).cells.willingness).toMatchObject({ value: null, withheld: 'period-open' });
  });

  test('units come a page at a time, with Link and a cursor', async () => {
    const first = await api(`/v1/heatmap?${PERIOD}&limit=3`, { key: reader });
    const page = (await first.json()) as Heatmap;
    expect(page.data).toHaveLength(3);
    expect(first.headers.get('link')).toMatch(/^<\/v1\/heatmap\?.*cursor=.*>; rel="next"$/);
    const rest = await heatmap(`${PERIOD}&limit=3&cursor=${page.nextCursor}`);
    expect(rest.nextCursor).toBeNull();
    expect([...page.data, ...rest.data].map((row) => row.unit.id).sort()).toEqual(Object.values(ids).sort());
  });

  test('a full page stays far below 2 MiB: 100 units of the fullest row', async () => {
    const body = await heatmap(PERIOD);
    const widest = Math.max(...body.data.map((row) => JSON.stringify(row).length));
    const bound = JSON.stringify({ ...body, data: [] }).length + 100 * (widest + 1);
    console.log(`heatmap: widest row ${widest} bytes, a 100-unit page at most ${Math.round(bound / 1024)} KiB`);
    expect(bound).toBeLessThan(512 * 1024);
  });

  test("another tenant's units are absent: its heatmap shows only its own", async () => {
    const other = await createTenant({ name: 'Heatmap other' });
    await createUnit(other.apiKey.secret, { name: 'Other store' });
    const body = await heatmap(PERIOD, other.apiKey.secret);
    expect(body.data.map((row) => row.unit.name)).toEqual(['Other store']);
    expect(JSON.stringify(await heatmap(PERIOD))).not.toContain('Other store');
  });

  test.each([
    [`from=${monthStart(-1)}&to=${dayOfMonth(-1, 15)}`, '/to'],
    [`from=${dayOfMonth(-2, 3)}&to=${monthStart(0)}`, '/from'],
    [`from=${monthStart(-2)}&to=${monthStart(0)}`, '/from'],
  ])('a window that is not a whole period (%s) is a 422 naming it', async (query, pointer) => {
    const problem = await problemOf(await api(`/v1/heatmap?${query}`, { key: reader }));
    expect(problem.status).toBe(422);
    expect(problem.errors!.map((e) => e.pointer)).toContain(pointer);
  });

  test('bad parameters are 400 problems; a key without reports:read is a 403', async () => {
    for (const query of ['from=yesterday', 'cohort=planet', 'limit=0', 'cursor=nope']) {
      expect((await problemOf(await api(`/v1/heatmap?${query}`, { key: reader }))).status).toBe(400);
    }
    const writer = (await issueApiKey(owner.apiKey.secret, { scopes: ['ratings:write'] })).secret;
    expect((await problemOf(await api(`/v1/heatmap?${PERIOD}`, { key: writer }))).status).toBe(403);
  });

  test('the SVG picture draws the same page, with a text alternative and the withheld cells marked', async () => {
    const response = await api(`/v1/heatmap/chart.svg?${PERIOD}`, { key: reader });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    const svg = await response.text();
    assertWellFormedSvg(svg);
    expect(svg).toContain('<desc>');
    expect(svg).toContain('Store South: ');
    expect(svg).toContain('data-cell="withheld"');
    expect(svg).not.toMatch(/>0\.00</);
  });

  // Last: it adds a unit.
  test('a strong ETag: an unchanged page is a 304 without a body; a change to the units makes a new one', async () => {
    const first = await api(`/v1/heatmap?${PERIOD}`, { key: reader });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await api(`/v1/heatmap?${PERIOD}`, { key: reader, headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    await createUnit(owner.apiKey.secret, { name: 'Late unit' });
    const changed = await api(`/v1/heatmap?${PERIOD}`, { key: reader, headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as Heatmap).data.map((row) => row.unit.name)).toContain('Late unit');
  });
});
