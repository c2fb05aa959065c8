/**
 * Issue 6's "done when", end to end through the worker in workerd against the real Postgres: with
 * a reference pool loaded, a new tenant that submits ratings gets a scorecard, diagnostics, a
 * percentile rank once the benchmark job has run, and a chart.
 *
 * The pool has its own seed (pool.test.ts uses 4242): organization ids derive from the seed, so the
 * two pools never share a tenant and either file can run first, or alone. This file runs the job
 * itself and only reads the snapshot it made, so the order of files (benchmarks.test.ts deletes
 * snapshots) does not matter; its tenant is in the pool's region, not IS/LI.
 */
import { beforeAll, expect, inject, test } from 'vitest';
import { generateOrganization } from '../../db/pool/generate.ts';
import { loadReferencePool } from '../../db/pool/load.ts';
import {
  api,
  assertWellFormedSvg,
  type CreatedTenant,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  operatorToken,
  ownerPool,
  runBenchmarkJob,
} from './helpers.ts';
import { seedInternalRatings } from '../lib/internal-seed.ts';

const SEED = 6006;
const ORGANIZATIONS = 30;
const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
const nextMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
const inLastMonth = (day: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, day, 12)).toISOString();

// 48 external ratings: 30 satisfied, 8 neutral, 10 dissatisfied occasional customers of whom 9
// blame attitude; 14 willing staff who are badly supported (empowerment weakest).
const SATISFIED = 30;
const EXTERNAL = 48;
const INTERNAL = 14;

let tenant: CreatedTenant;
let key: string;

beforeAll(async () => {
  const pool = await loadReferencePool({ databaseUrl: inject('ownerDatabaseUrl'), organizations: ORGANIZATIONS, seed: SEED, now });
  expect(pool.organizations).toBe(ORGANIZATIONS);
  // The new tenant joins the cohorts of the pool's first organization.
  const { industry, region } = generateOrganization(SEED, 0, now).tenant;
  tenant = await createTenant({ name: 'Done-when Tenant', industry, region, benchmarkOptIn: true });
  key = tenant.apiKey.secret;
  const unit = await createUnit(key, { name: 'Front desk' });
  const ratings = Array.from({ length: EXTERNAL }, (_, i) => {
    const occurredAt = inLastMonth(1 + (i % 27));
    if (i < SATISFIED) return externalRating(unit.id, { occurredAt, overall: i % 2 ? 5 : 4, recommend: i % 3 ? 9 : 8 });
    if (i < SATISFIED + 8) return externalRating(unit.id, { occurredAt, overall: 3, recommend: 7 });
    return externalRating(unit.id, { occurredAt, overall: 1, recommend: 2, blamesAttitude: i < EXTERNAL - 1, blamedComponent: 'people' });
  });
  await createExternalRatings(key, ratings);
  // Last month is ended, so the API takes no more internal ratings for it: written as the pool loader writes.
  await seedInternalRatings(
    ownerPool(),
    tenant.tenant.id,
    Array.from({ length: INTERNAL }, (_, i) =>
      internalRating(unit.id, {
        occurredOn: inLastMonth(2 + i).slice(0, 10),
        commitments: 3,
        internalCulture: 3,
        empowerment: 1,
        recognition: 2,
        leadershipSupport: 3,
        willingness: i % 2 ? 5 : 4,
        tenureBand: i % 2 ? 'new' : 'established',
      }),
    ),
  );
}, 180_000);

const period = `from=${monthStart}&to=${nextMonthStart}`;

async function json<T = any>(path: string, as = key): Promise<T> {
  const response = await api(path, { key: as });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

test('the new tenant gets a scorecard with its figures', async () => {
  const { periods } = await json(`/v1/scorecard?${period}`);
  expect(periods).toHaveLength(1);
  const [{ external, internal }] = periods;
  expect(external.ratings).toBe(EXTERNAL);
  expect(external.csat).toMatchObject({ value: SATISFIED / EXTERNAL, n: EXTERNAL });
  expect(external.csat.interval.low).toBeLessThan(SATISFIED / EXTERNAL);
  expect(external.csat.interval.high).toBeGreaterThan(SATISFIED / EXTERNAL);
  // Promoters: the 20 satisfied with recommend 9; detractors: the 10 dissatisfied.
  expect(external.nps.value).toBeCloseTo((100 * (20 - 10)) / EXTERNAL, 9);
  expect(external.overall.value).toBeCloseTo((15 * 4 + 15 * 5 + 8 * 3 + 10) / EXTERNAL, 9);
  expect(internal.respondents).toBe(INTERNAL);
  expect(internal.supportIndex.value).toBeCloseTo(2.4, 9);
  expect(internal.weakestRootCause).toBe('empowerment');
});

test('the new tenant gets diagnostics with findings', async () => {
  const body = await json(`/v1/diagnostics?${period}`);
  expect(body.findings.length).toBeGreaterThan(0);
  for (const finding of body.findings) {
    expect(typeof finding.text).toBe('string');
    expect(finding.supportedBy.length).toBeGreaterThan(0);
  }
  expect(body.rootCauses.weakest).toBe('empowerment');
});

test('after the job runs, the tenant is ranked among the pool, and the chart is well-formed SVG', async () => {
  expect(await runBenchmarkJob({ at: now.toISOString() })).toMatchObject({ job: 'benchmarks', status: 'succeeded' });

  const body = await json('/v1/benchmarks?measure=csat&cohort=all&period=month');
  expect(body).toMatchObject({ measure: 'csat', period: { kind: 'month', start: monthStart }, distribution: { suppressed: false }, own: { ranked: true } });
  expect(body.distribution.organizations).toBeGreaterThanOrEqual(5);
  expect(body.own.value).toBeCloseTo(SATISFIED / EXTERNAL, 9);
  expect(body.own.percentileRank).toBeGreaterThanOrEqual(0);
  expect(body.own.percentileRank).toBeLessThanOrEqual(100);
  const d = body.distribution;
  expect(d.p10).toBeLessThanOrEqual(d.p25);
  expect(d.p25).toBeLessThanOrEqual(d.median);
  expect(d.median).toBeLessThanOrEqual(d.p75);
  expect(d.p75).toBeLessThanOrEqual(d.p90);
  // No peer's identity: the pool's organizations are named "Pool NNN (...)".
  expect(JSON.stringify(body)).not.toMatch(/Pool \d{3}/);

  const chart = await api('/v1/benchmarks/chart.svg?measure=csat&cohort=all&period=month', { key });
  expect(chart.status).toBe(200);
  expect(chart.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  const svg = await chart.text();
  assertWellFormedSvg(svg);
  expect(svg).toContain('data-marker="own"');
  expect(svg).toMatch(/percentile \d/);
  expect(svg).not.toContain('NaN');
});
