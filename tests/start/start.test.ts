/**
 * `npm start` as a newcomer runs it: in a fresh copy of the repository inside a 0700 folder (as
 * root, a home folder such as /root; node_modules is hard-linked into the copy, so the Postgres
 * binaries sit behind the 0700 folder too), on free ports. The first start must load the pool, give
 * the demo tenant a filled scorecard including the current month, and rank it at once; its output must
 * be free of wrangler's noise; a restart must find everything in place; Ctrl-C must free every port.
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isFree } from '../../scripts/lib/ports.ts';
import { type Newcomer, newcomer } from './npm-start.ts';

const isRoot = process.getuid?.() === 0;
let app: Newcomer;

beforeAll(async () => {
  app = await newcomer();
});

afterAll(() => app?.remove());

test('a first start in a 0700 folder serves a ranked demo tenant; a restart finds it; Ctrl-C frees every port', async () => {
  expect(statSync(app.parent).mode & 0o777).toBe(0o700);
  const { base, clone, ports } = app;

  const first = await app.start();
  try {
    // As root, Postgres (the OS user postgres) cannot enter the 0700 folder: its data lives elsewhere, linked.
    if (isRoot) expect(lstatSync(path.join(clone, '.local/postgres')).isSymbolicLink()).toBe(true);
    const key = readFileSync(path.join(clone, '.local/demo-api-key'), 'utf8').trim();
    const get = async (pathname: string) => {
      const response = await fetch(`${base}${pathname}`, { headers: { Authorization: `Bearer ${key}` } });
      expect(response.status, pathname).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const yearAgo = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const { periods } = (await get(`/v1/scorecard?interval=month&from=${yearAgo}&to=${nextMonth}`)) as {
      periods: { from: string; external: { ratings: number; csat: { value: number | null } }; internal: { respondents: number; supportIndex: { value?: number | null; suppressed?: boolean } } }[];
    };
    expect(periods).toHaveLength(13);
    for (const period of periods) expect(period.external.csat.value, period.from).not.toBeNull();
    // Internal figures are published for ended months only (README, Anonymity): the 12 before this one.
    for (const period of periods.slice(0, -1)) expect(period.internal.supportIndex.value, period.from).toEqual(expect.any(Number));
    expect(periods.at(-1)!.internal.supportIndex).toMatchObject({ suppressed: true, reason: 'period-open' });
    // The current month so far is there.
    expect(periods.at(-1)!.external.ratings).toBeGreaterThan(0);

    // Every unit that takes ratings has at least 8 staff answers a month: no internal figure withheld.
    const { data: units } = (await get('/v1/units?limit=100')) as { data: { id: string; parentId: string | null }[] };
    expect(units.length).toBeGreaterThanOrEqual(8);
    // The disclosure rule may still withhold a few unit-months whose complement another published figure
    // would reveal (reason 'complementary'); never for too few answers, and most stay published.
    const leaves = units.filter((unit) => !units.some((child) => child.parentId === unit.id));
    const cells: (number | { suppressed: true; reason: string })[] = [];
    for (const unit of leaves) {
      const { periods: unitPeriods } = (await get(`/v1/scorecard?interval=month&unitId=${unit.id}&from=${yearAgo}&to=${nextMonth}`)) as unknown as { periods: typeof periods };
      cells.push(...unitPeriods.slice(0, -1).map((period) => period.internal.respondents as unknown as (typeof cells)[number]));
    }
    const published = cells.filter((cell): cell is number => typeof cell === 'number');
    console.log(`demo leaf unit-months: ${published.length} of ${cells.length} published; withheld: ${JSON.stringify(cells.filter((cell) => typeof cell !== 'number'))}`);
    for (const respondents of published) expect(respondents).toBeGreaterThanOrEqual(8);
    expect(cells.filter((cell) => typeof cell !== 'number' && cell.reason !== 'complementary')).toEqual([]);
    expect(published.length / cells.length).toBeGreaterThanOrEqual(0.8);

    const benchmark = (await get('/v1/benchmarks?measure=csat&cohort=industry&period=month')) as { own: { ranked: boolean; percentileRank: number } };
    expect(benchmark.own).toMatchObject({ ranked: true, percentileRank: expect.any(Number) });
    const targets = (await get('/v1/targets')) as { data: unknown[] };
    expect(targets.data.length).toBeGreaterThan(0);

    // What a newcomer reads: no wrangler banner, no Request.cf traces, no request logged twice.
    expect(first.output).not.toMatch(/update available|ENOTFOUND|\n\s+at |\[wrangler:info\] GET/);
    // Its own calls (the demo, the job and the polling of its run) are steps, not request lines.
    expect(first.output).not.toMatch(/job-runs|POST \/v1\/tenants/);
    expect(first.output).toMatch(/Demo API key\s+sck_/);
    // A fresh clone builds the worker's bundle once (scripts/lib/worker.ts, cachedWorkerBuild)…
    expect(first.output).toMatch(/worker \(workerd, bundle built\)/);
  } finally {
    await app.stop(first);
  }

  const firstMonth = new Date().toISOString().slice(0, 7);
  const second = await app.start();
  try {
    expect(second.output).toMatch(/pool: already loaded/);
    // …and a restart with the same sources reuses it: no wrangler, no esbuild.
    expect(second.output).toMatch(/worker \(workerd\) on/);
    // Only what occurred since the first start (its last seconds, perhaps none) is written again.
    expect(second.output).toMatch(/demo tenant: (up to date|[\d,]+ external and 0 internal ratings since the last start)/);
    // Within the month nothing ended changed: no benchmark is computed again.
    if (new Date().toISOString().slice(0, 7) === firstMonth) expect(second.output).not.toMatch(/benchmarks of the last complete month/);
  } finally {
    await app.stop(second);
  }
  for (const port of Object.values(ports)) expect(await isFree(Number(port)), `port ${port}`).toBe(true);
}, 600_000);

test('a port in use is one line saying which, not a stack trace', async () => {
  const holder = net.createServer().listen(Number(app.ports.PORT), '127.0.0.1');
  await new Promise((resolve) => holder.once('listening', resolve));
  try {
    const failed = await app.start().then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failed).toMatch(new RegExp(`port ${app.ports.PORT} is in use`));
    expect(failed).not.toMatch(/\n\s+at /);
  } finally {
    holder.close();
  }
}, 60_000);
