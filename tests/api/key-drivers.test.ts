/**
 * GET /v1/key-drivers through the real worker: what accounts for units' CSAT and overall rating,
 * from published unit figures only.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mulberry32 } from '../../db/pool/random.ts';
import { KEY_DRIVER_PREDICTORS, minimumUnits, relativeWeights } from '../../worker/domain/key-drivers.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import { api, createExternalRatings, createTenant, createUnit, externalRating, internalRating, issueApiKey, ownerPool, problemOf } from './helpers.ts';

// Internal figures are published for ended months only: every rating here is dated last month.
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;
const pool = ownerPool();
const UNITS = 48;
const RESPONDENTS = 6;
const RATINGS = 10;
const clamp = (x: number) => Math.min(5, Math.max(1, Math.round(x)));

async function keyDrivers(key: string, query = PERIOD): Promise<any> {
  const response = await api(`/v1/key-drivers?${query}`, { key });
  if (response.status !== 200) throw new Error(`key-drivers: ${response.status} ${await response.text()}`);
  return response.json();
}

describe('GET /v1/key-drivers', () => {
  let key: string;
  /** Per counted unit: the eight staff means and the clients' CSAT, as the test wrote them. */
  const expected: { means: number[]; csat: number }[] = [];

  beforeAll(async () => {
    const { apiKey, tenant } = await createTenant();
    key = apiKey.secret;
    const random = mulberry32(42);
    const internal: Record<string, unknown>[] = [];
    const external: Record<string, unknown>[] = [];
    for (let u = 0; u < UNITS; u++) {
      const unit = (await createUnit(key, { name: `Branch ${u}` })).id;
      // Each unit's staff answer around its own level per driver; clients are satisfied where recognition is high.
      const level = KEY_DRIVER_PREDICTORS.map(() => 1 + 4 * random.next());
      const answers = Array.from({ length: RESPONDENTS }, () => level.map((x) => clamp(x + random.normal() * 0.5)));
      answers.forEach((scores) =>
        internal.push(
          internalRating(unit, {
            occurredOn: dayOfMonth(-1, 10),
            tenureBand: 'established',
            ...Object.fromEntries(KEY_DRIVER_PREDICTORS.map((name, j) => [name, scores[j]])),
          }),
        ),
      );
      const means = KEY_DRIVER_PREDICTORS.map((_, j) => answers.reduce((s, a) => s + a[j]!, 0) / RESPONDENTS);
      const recognition = means[KEY_DRIVER_PREDICTORS.indexOf('recognition')]!;
      const satisfied = Math.min(RATINGS, Math.max(0, Math.round(((recognition - 1) / 4) * RATINGS + random.normal())));
      for (let i = 0; i < RATINGS; i++) external.push(externalRating(unit, { occurredAt: `${dayOfMonth(-1, 12)}T12:00:00Z`, overall: i < satisfied ? 5 : 2 }));
      expected.push({ means, csat: satisfied / RATINGS });
    }
    await seedInternalRatings(pool, tenant.id, internal);
    await createExternalRatings(key, external);
  });

  test('names recognition, with relative weights equal to those of the published unit means, and never says "causes"', async () => {
    const body = await keyDrivers(key);
    expect(body.period).toEqual({ from: monthStart(-1), to: monthStart(0) });
    expect(body.units).toBe(UNITS);
    const csat = body.outcomes.csat;
    expect(csat).toMatchObject({ n: UNITS, minimumUnits: minimumUnits(8), grade: 'drivers', resamples: 1000 });
    const want = relativeWeights(
      KEY_DRIVER_PREDICTORS.map((_, j) => expected.map((unit) => unit.means[j]!)),
      expected.map((unit) => unit.csat),
    )!;
    expect(csat.rSquared).toBeCloseTo(want.rSquared, 9);
    for (const driver of csat.drivers) expect(driver.rawWeight).toBeCloseTo(want.raw[KEY_DRIVER_PREDICTORS.indexOf(driver.name)]!, 9);
    expect(csat.drivers).toHaveLength(8);
    expect(csat.drivers[0].name).toBe('recognition');
    expect(csat.drivers[0].associated).toBe(true);
    for (const driver of csat.drivers) expect(driver.associated).toBe(driver.versusRandom.low > 0);
    expect(csat.verdict).toContain('associated with recognition');
    expect(csat.verdict).not.toMatch(/\bcauses\b/);
    expect(body.outcomes.overall.n).toBe(UNITS);
  });

  test('deterministic: the same data gives the same intervals, and a conditional read is a 304', async () => {
    const first = await api(`/v1/key-drivers?${PERIOD}`, { key });
    const second = await keyDrivers(key);
    expect(await first.json()).toEqual(second);
    const etag = first.headers.get('ETag')!;
    expect((await api(`/v1/key-drivers?${PERIOD}`, { key, headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  test('a tenant with few units: too few units to say; a unit of 4 respondents, and the one that would reveal it by subtraction, take no part', async () => {
    const { apiKey, tenant } = await createTenant();
    const [six, four] = [(await createUnit(apiKey.secret)).id, (await createUnit(apiKey.secret)).id];
    await seedInternalRatings(pool, tenant.id, [
      ...Array.from({ length: 6 }, () => internalRating(six, { occurredOn: dayOfMonth(-1, 10) })),
      ...Array.from({ length: 4 }, () => internalRating(four, { occurredOn: dayOfMonth(-1, 10) })),
    ]);
    const rated = [six, four].flatMap((unit) => Array.from({ length: 10 }, () => externalRating(unit, { occurredAt: `${dayOfMonth(-1, 12)}T12:00:00Z` })));
    await createExternalRatings(apiKey.secret, rated);
    // The tenant's 10 are published, so neither unit may be: one minus the other would give the other's figures.
    const body = await keyDrivers(apiKey.secret);
    expect(body.units).toBe(0);
    for (const outcome of [body.outcomes.csat, body.outcomes.overall]) {
      expect(outcome).toMatchObject({ n: 0, grade: 'too-few-units', drivers: [], rSquared: null });
      expect(outcome.verdict).toMatch(/^Too few units to say/);
    }
  });

  test('a window that is not a whole period is a 422 naming from/to; no reports:read is a 403; no key is a 401', async () => {
    const response = await api(`/v1/key-drivers?from=${monthStart(-1)}&to=${dayOfMonth(-1, 20)}`, { key });
    expect(response.status).toBe(422);
    expect(response.headers.get('Content-Type')).toContain('application/problem+json');
    expect((await problemOf(response)).errors!.map((e) => e.pointer)).toEqual(['/from', '/to']);
    const writer = (await issueApiKey(key, { scopes: ['ratings:write'] })).secret;
    expect((await api('/v1/key-drivers', { key: writer })).status).toBe(403);
    expect((await api('/v1/key-drivers')).status).toBe(401);
  });
});
