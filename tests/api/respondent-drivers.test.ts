/**
 * GET /v1/key-drivers/respondents through the real worker: what staff willingness and eNPS go with,
 * over one published cell's own answers, and the differencing attack on it.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mulberry32 } from '../../db/pool/random.ts';
import { relativeWeights } from '../../worker/domain/key-drivers.ts';
import { RESPONDENT_SAMPLE_CAP, WILLINGNESS_DRIVERS } from '../../worker/domain/respondent-drivers.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import { api, createTenant, createUnit, internalRating, issueApiKey, ownerPool, problemOf } from './helpers.ts';

// Internal figures are published for ended months only: every rating here is dated last month.
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;
const pool = ownerPool();
const clamp = (x: number) => Math.min(5, Math.max(1, Math.round(x)));

async function drivers(key: string, query = PERIOD): Promise<any> {
  const response = await api(`/v1/key-drivers/respondents?${query}`, { key });
  if (response.status !== 200) throw new Error(`respondent drivers: ${response.status} ${await response.text()}`);
  return response.json();
}

/** `count` respondents of `unitId` whose willingness follows recognition; every other one recommends the employer as willing staff do. */
function respondents(unitId: string, count: number, seed: number): Record<string, unknown>[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const scores = Object.fromEntries(WILLINGNESS_DRIVERS.map((name) => [name, clamp(1 + 4 * random.next())]));
    const willingness = clamp((scores.recognition as number) + random.normal() * 0.6);
    const recommendEmployer = i % 2 === 0 ? Math.min(10, Math.max(0, Math.round(2 * willingness + random.normal()))) : undefined;
    return internalRating(unitId, { occurredOn: dayOfMonth(-1, 10), tenureBand: i % 3 ? 'established' : 'new', ...scores, willingness, recommendEmployer });
  });
}

describe('GET /v1/key-drivers/respondents', () => {
  let key: string;
  let written: Record<string, any>[];

  beforeAll(async () => {
    const { apiKey, tenant } = await createTenant();
    key = apiKey.secret;
    const unit = (await createUnit(key)).id;
    written = respondents(unit, 200, 7);
    await seedInternalRatings(pool, tenant.id, written);
  });

  test('names recognition for willingness with the weights of the respondents’ own answers; eNPS over those who answered; never "causes"', async () => {
    const body = await drivers(key);
    expect(body).toMatchObject({ period: { from: monthStart(-1), to: monthStart(0) }, unitId: null, respondents: 200, withheld: null });
    const willingness = body.outcomes.willingness;
    expect(willingness).toMatchObject({ n: 200, minimumRespondents: 70, grade: 'drivers', resamples: 1000 });
    const want = relativeWeights(
      WILLINGNESS_DRIVERS.map((name) => written.map((r) => r[name] as number)),
      written.map((r) => r.willingness as number),
    )!;
    expect(willingness.rSquared).toBeCloseTo(want.rSquared, 9);
    for (const d of willingness.drivers) expect(d.rawWeight).toBeCloseTo(want.raw[WILLINGNESS_DRIVERS.indexOf(d.name)]!, 9);
    expect(willingness.drivers[0]).toMatchObject({ name: 'recognition', associated: true });
    for (const d of willingness.drivers) expect(d.associated).toBe(d.versusRandom.low > 0);
    expect(willingness.verdict).toContain("staff's willingness is associated with recognition");
    expect(JSON.stringify(body)).not.toMatch(/\bcauses\b/);
    expect(body.outcomes.enps).toMatchObject({ n: 100, minimumRespondents: 80 });
    expect(body.outcomes.enps.drivers[0]).toMatchObject({ name: 'willingness', associated: true });
    // Only weights, intervals, R² and n: no coefficient, mean or correlation that another answer could be combined with.
    expect(Object.keys(willingness).sort()).toEqual(['drivers', 'grade', 'minimumRespondents', 'n', 'outcome', 'rSquared', 'rSquaredInterval', 'resamples', 'verdict']);
    expect(Object.keys(willingness.drivers[0]).sort()).toEqual(['associated', 'interval', 'name', 'rawWeight', 'share', 'versusRandom']);
  });

  test('deterministic, and a conditional read is a 304', async () => {
    const first = await api(`/v1/key-drivers/respondents?${PERIOD}`, { key });
    expect(await first.json()).toEqual(await drivers(key));
    const etag = first.headers.get('ETag')!;
    expect((await api(`/v1/key-drivers/respondents?${PERIOD}`, { key, headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  test('differencing attack: a unit holding all but 2 of its parent’s respondents is withheld, so the two nested cells are never both answered', async () => {
    const { apiKey, tenant } = await createTenant();
    const parent = (await createUnit(apiKey.secret, { name: 'Parent' })).id;
    const child = (await createUnit(apiKey.secret, { name: 'Child', parentId: parent })).id;
    await seedInternalRatings(pool, tenant.id, [...respondents(child, 78, 11), ...respondents(parent, 2, 12)]);
    const cells = [await drivers(apiKey.secret), await drivers(apiKey.secret, `${PERIOD}&unitId=${parent}`), await drivers(apiKey.secret, `${PERIOD}&unitId=${child}`)];
    const answered = cells.filter((cell) => cell.outcomes !== null);
    // Tenant and parent hold the same 80 respondents; the child's 78 would leave the parent's 2 by difference.
    expect(answered.map((cell) => cell.respondents)).toEqual([80, 80]);
    expect(cells[2]).toMatchObject({ unitId: child, respondents: null, withheld: { reason: 'complementary' }, outcomes: null });
    expect(answered[0].outcomes.willingness.grade).toBe('drivers');
  });

  test('a published cell below the minimum: too few respondents to say; a cell of 4 is withheld, never 0', async () => {
    const { apiKey, tenant } = await createTenant();
    const [big, small] = [(await createUnit(apiKey.secret)).id, (await createUnit(apiKey.secret)).id];
    await seedInternalRatings(pool, tenant.id, [...respondents(big, 40, 3), ...respondents(small, 4, 4)]);
    const body = await drivers(apiKey.secret);
    expect(body.respondents).toBe(44);
    expect(body.outcomes.willingness).toMatchObject({ n: 44, grade: 'too-few-respondents', drivers: [], rSquared: null });
    expect(body.outcomes.willingness.verdict).toBe('Too few respondents to say: 44 respondents answered; at least 70 are needed for 7 drivers.');
    expect(await drivers(apiKey.secret, `${PERIOD}&unitId=${small}`)).toMatchObject({ respondents: null, withheld: { reason: 'too-few-respondents' }, outcomes: null });
  });

  test(`beyond ${RESPONDENT_SAMPLE_CAP} respondents a uniform sample of that many is analysed`, async () => {
    const { apiKey, tenant } = await createTenant();
    const unit = (await createUnit(apiKey.secret)).id;
    await seedInternalRatings(pool, tenant.id, respondents(unit, RESPONDENT_SAMPLE_CAP + 200, 5));
    const body = await drivers(apiKey.secret);
    expect(body.respondents).toBe(RESPONDENT_SAMPLE_CAP + 200);
    expect(body.outcomes.willingness.n).toBe(RESPONDENT_SAMPLE_CAP);
    expect(body.outcomes.willingness.drivers[0].name).toBe('recognition');
  });

  test('another tenant’s unit is a 404; a window that is not a whole period is a 422 naming from/to; no reports:read is a 403', async () => {
    const other = await createTenant();
    const theirs = (await createUnit(other.apiKey.secret)).id;
    const notFound = await api(`/v1/key-drivers/respondents?${PERIOD}&unitId=${theirs}`, { key });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('Content-Type')).toContain('application/problem+json');
    const window = await api(`/v1/key-drivers/respondents?from=${monthStart(-1)}&to=${dayOfMonth(-1, 20)}`, { key });
    expect(window.status).toBe(422);
    expect((await problemOf(window)).errors!.map((e) => e.pointer)).toEqual(['/from', '/to']);
    const writer = (await issueApiKey(key, { scopes: ['ratings:write'] })).secret;
    expect((await api('/v1/key-drivers/respondents', { key: writer })).status).toBe(403);
    expect((await api('/v1/key-drivers/respondents')).status).toBe(401);
  });
});
