import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  createExternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  issueApiKey,
  ownerPool,
  problemOf,
  roundTrips,
} from './helpers.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';

interface Finding {
  id: string;
  severity: string;
  text: string;
  recommendation?: string;
  supportedBy: string[];
}
type Body = Record<string, any> & { findings: Finding[] };

// Internal figures are published for ended months only: every rating here is dated last month.
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;
const pool = ownerPool();
const lastMonth = `${dayOfMonth(-1, 15)}T12:00:00Z`;
const internalRatingLastMonth = (unitId: string, overrides: Record<string, unknown>) => internalRating(unitId, { occurredOn: dayOfMonth(-1, 15), ...overrides });
const externalRatingLastMonth = (unitId: string, overrides: Record<string, unknown> = {}) => externalRating(unitId, { occurredAt: lastMonth, ...overrides });

async function diagnostics(key: string, query = ''): Promise<Body> {
  const response = await api(`/v1/diagnostics?${PERIOD}${query}`, { key });
  if (response.status !== 200) throw new Error(`diagnostics: ${response.status} ${await response.text()}`);
  return (await response.json()) as Body;
}

const at = (body: Body, path: string) => path.split('.').reduce<any>((value, key) => value?.[key], body);

/** Willing staff, badly supported, empowerment weakest: support index (3 + 3 + 1 + 2 + 3) / 5 = 2.4. */
const willingButUnsupported = { commitments: 3, internalCulture: 3, empowerment: 1, recognition: 2, leadershipSupport: 3 };

describe('GET /v1/diagnostics', () => {
  let key: string;
  let front: string;
  let quiet: string;

  beforeAll(async () => {
    const { apiKey, tenant } = await createTenant();
    key = apiKey.secret;
    front = (await createUnit(key, { name: 'Front desk' })).id;
    quiet = (await createUnit(key, { name: 'Quiet branch' })).id;
    const dissatisfied = (kind: string, blames: number, of: number) =>
      Array.from({ length: of }, (_, i) =>
        externalRatingLastMonth(front, { overall: 1, customerKind: kind, blamesAttitude: i < blames, blamedComponent: i < 6 ? 'procedures' : 'people' }),
      );
    await createExternalRatings(key, [
      ...dissatisfied('occasional', 9, 10),
      ...dissatisfied('recurring', 2, 10),
      ...Array.from({ length: 5 }, () => externalRatingLastMonth(quiet, { overall: 5 })),
    ]);
    await seedInternalRatings(pool, tenant.id, [
      ...Array.from({ length: 6 }, () => internalRatingLastMonth(front, { ...willingButUnsupported, willingness: 5, tenureBand: 'new' })),
      ...Array.from({ length: 6 }, () => internalRatingLastMonth(front, { ...willingButUnsupported, willingness: 4, tenureBand: 'established' })),
    ]);
  });

  test('clients blame attitude, staff are willing, empowerment is weakest: the cause is organizational', async () => {
    const body = await diagnostics(key);
    expect(body.attitudeParadox).toMatchObject({
      blameShare: { n: 20, share: 11 / 20 },
      favourableWillingness: { n: 12, share: 1 },
      supportIndex: { n: 12, mean: expect.closeTo(2.4, 9) },
    });
    expect(body.rootCauses.weakest).toBe('empowerment');
    expect(body.attitudeDecay.new).toMatchObject({ n: 6, mean: 5 });
    expect(body.attitudeDecay.established).toMatchObject({ n: 6, mean: 4 });
    expect(body.blame.components.procedures).toMatchObject({ count: 12, share: { n: 25 - 5 } });
    for (const finding of body.findings) {
      for (const path of finding.supportedBy) {
        expect(at(body, path), path).toBeTruthy();
        expect(at(body, path).suppressed, path).toBeUndefined();
      }
    }
  });

  test('the paradox verdict and its recommendation name the weakest root cause', async () => {
    // Occasional clients alone: 9 of 10 blame attitude, over the 0.6 threshold.
    const { apiKey, tenant } = await createTenant();
    const unit = (await createUnit(apiKey.secret)).id;
    await createExternalRatings(apiKey.secret, Array.from({ length: 10 }, (_, i) => externalRatingLastMonth(unit, { overall: 2, blamesAttitude: i < 9 })));
    await seedInternalRatings(pool, tenant.id, Array.from({ length: 5 }, () => internalRatingLastMonth(unit, { ...willingButUnsupported, willingness: 5 })));
    const body = await diagnostics(apiKey.secret);
    expect(body.attitudeParadox.verdict).toBe('organizational');
    const paradox = body.findings.find((f) => f.id === 'attitude-paradox')!;
    expect(paradox.severity).toBe('high');
    expect(paradox.text).toContain('Clients blame attitude (90% of dissatisfied clients), yet 100% of staff are willing and the support index is 2.4');
    expect(paradox.recommendation).toMatch(/^Fix empowerment \(the weakest root cause, 1\.0 of 5\)/);
    expect(paradox.recommendation).not.toMatch(/hire|friendl/i);
    expect(paradox.supportedBy).toContain('rootCauses.means.empowerment');
  });

  test('occasional clients blame attitude more than recurring ones', async () => {
    const { occasional, recurring, difference } = (await diagnostics(key)).blame.attitudeByCustomerKind;
    expect(occasional).toMatchObject({ n: 10, share: 0.9 });
    expect(recurring).toMatchObject({ n: 10, share: 0.2 });
    expect(difference.estimate).toBeCloseTo(0.7);
    expect(difference.interval.low).toBeGreaterThan(0);
    expect(occasional.interval.low).toBeLessThan(0.9);
  });

  test('a unit filter narrows the figures; the service-profit link stays tenant-wide', async () => {
    const quietBody = await diagnostics(key, `&unitId=${quiet}`);
    expect(quietBody.unitId).toBe(quiet);
    expect(quietBody.attitudeParadox.blameShare).toBeNull();
    expect(quietBody.blame.unsatisfied).toBe(0);
    // No respondents at all: nothing to hide and nothing to show.
    expect(quietBody.attitudeParadox.supportIndex).toBeNull();
    const frontBody = await diagnostics(key, `&unitId=${front}`);
    expect(frontBody.attitudeParadox.blameShare.n).toBe(20);
    expect(frontBody.attitudeParadox.supportIndex.n).toBe(12);
  });

  test('under 5 respondents: suppressed, no number leaks, no finding drawn from them', async () => {
    const { apiKey, tenant } = await createTenant();
    const unit = (await createUnit(apiKey.secret)).id;
    await createExternalRatings(apiKey.secret, Array.from({ length: 10 }, () => externalRatingLastMonth(unit, { overall: 1, blamesAttitude: true })));
    await seedInternalRatings(pool, tenant.id, Array.from({ length: 4 }, () => internalRatingLastMonth(unit, { ...willingButUnsupported, willingness: 5 })));
    const body = await diagnostics(apiKey.secret);
    const suppressed = { suppressed: true, reason: expect.stringContaining('Fewer than 5') };
    expect(body.attitudeParadox.favourableWillingness).toEqual(suppressed);
    expect(body.attitudeParadox.supportIndex).toEqual(suppressed);
    expect(body.rootCauses).toEqual(suppressed);
    expect(body.attitudeDecay).toEqual({ new: suppressed, established: suppressed, difference: null });
    expect(body.attitudeParadox.verdict).toBe('insufficient-data');
    expect(body.findings.map((f) => f.id)).not.toContain('attitude-paradox');
    expect(body.findings.map((f) => f.id)).not.toContain('weakest-root-cause');
    expect(JSON.stringify(body.findings)).not.toMatch(/empowerment|willing|support index/i);
  });

  test('service-profit link: better-supported units have more satisfied clients', async () => {
    const { apiKey, tenant } = await createTenant();
    const units = await Promise.all([1, 2, 3, 4, 5].map((i) => createUnit(apiKey.secret, { name: `Branch ${i}` })));
    const support = (level: number) => ({ commitments: level, internalCulture: level, empowerment: level, recognition: level, leadershipSupport: level });
    // Branch 5 has 4 respondents: it does not qualify. Back office's 5 (no clients) keep the others'
    // complement at 5 or more, so all four can be published.
    const backOffice = await createUnit(apiKey.secret, { name: 'Back office' });
    await seedInternalRatings(pool, tenant.id, [
      ...units.flatMap((unit, i) => Array.from({ length: i === 4 ? 4 : 5 }, () => internalRatingLastMonth(unit.id, support(i + 1)))),
      ...Array.from({ length: 5 }, () => internalRatingLastMonth(backOffice.id, support(3))),
    ]);
    await createExternalRatings(
      apiKey.secret,
      units.flatMap((unit, i) => Array.from({ length: 10 }, (_, j) => externalRatingLastMonth(unit.id, { overall: j < 2 * (i + 1) ? 5 : 3 }))),
    );
    const link = (await diagnostics(apiKey.secret)).serviceProfitLink;
    expect(link.qualifyingUnits).toBe(4);
    expect(link.correlation.n).toBe(4);
    expect(link.correlation.r).toBeGreaterThan(0);
    expect(link.reason).toBeNull();
    expect((await diagnostics(key)).serviceProfitLink).toMatchObject({ qualifyingUnits: 1, correlation: null, reason: expect.stringContaining('1 of the tenant') });
  });

  test('another tenant’s unit is a 404', async () => {
    const other = await createTenant();
    const foreign = (await createUnit(other.apiKey.secret)).id;
    const response = await api(`/v1/diagnostics?unitId=${foreign}`, { key });
    expect(response.status).toBe(404);
    expect((await problemOf(response)).detail).toContain(foreign);
  });

  test('needs reports:read', async () => {
    const reader = await issueApiKey(key, { scopes: ['ratings:read'] });
    expect((await api('/v1/diagnostics', { key: reader.secret })).status).toBe(403);
    const reports = await issueApiKey(key, { scopes: ['reports:read'] });
    expect((await api('/v1/diagnostics', { key: reports.secret })).status).toBe(200);
  });

  test('a window that is not one whole month, quarter or 12 months is a 422 naming it; the default is the last complete quarter', async () => {
    for (const query of [`from=${dayOfMonth(-1, 2)}&to=${monthStart(0)}`, `from=${monthStart(0)}&to=${monthStart(-1)}`, `from=${monthStart(-2)}&to=${monthStart(0)}`]) {
      const response = await api(`/v1/diagnostics?${query}`, { key });
      expect(response.status, query).toBe(422);
      const problem = await problemOf(response);
      expect(problem.errors!.map((e) => e.pointer)).toEqual(['/from', '/to']);
      expect(problem.detail).toContain('whole period');
    }
    const body = (await (await api('/v1/diagnostics', { key })).json()) as Body;
    const now = new Date();
    const quarterEnd = monthStart(-(now.getUTCMonth() % 3));
    expect(body.period).toEqual({ from: monthStart(-(now.getUTCMonth() % 3) - 3), to: quarterEnd });
  });

  test('costs one round trip: the key check leads the batch', async () => {
    const before = await roundTrips();
    const response = await api(`/v1/diagnostics?${PERIOD}&unitId=${front}`, { key });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect((await roundTrips()) - before).toBe(1);
  });
});
