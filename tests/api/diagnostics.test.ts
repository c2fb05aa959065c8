import { beforeAll, describe, expect, test } from 'vitest';
import {
  api,
  createExternalRatings,
  createInternalRatings,
  createTenant,
  createUnit,
  externalRating,
  internalRating,
  issueApiKey,
  problemOf,
  roundTrips,
  utcDate,
} from './helpers.ts';

interface Finding {
  id: string;
  severity: string;
  text: string;
  recommendation?: string;
  supportedBy: string[];
}
type Body = Record<string, any> & { findings: Finding[] };

const PERIOD = `from=${utcDate(-2)}&to=${utcDate(2)}`;

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
    const { apiKey } = await createTenant();
    key = apiKey.secret;
    front = (await createUnit(key, { name: 'Front desk' })).id;
    quiet = (await createUnit(key, { name: 'Quiet branch' })).id;
    const dissatisfied = (kind: string, blames: number, of: number) =>
      Array.from({ length: of }, (_, i) =>
        externalRating(front, { overall: 1, customerKind: kind, blamesAttitude: i < blames, blamedComponent: i < 6 ? 'procedures' : 'people' }),
      );
    await createExternalRatings(key, [
      ...dissatisfied('occasional', 9, 10),
      ...dissatisfied('recurring', 2, 10),
      ...Array.from({ length: 5 }, () => externalRating(quiet, { overall: 5 })),
    ]);
    await createInternalRatings(key, [
      ...Array.from({ length: 6 }, () => internalRating(front, { ...willingButUnsupported, willingness: 5, tenureBand: 'new' })),
      ...Array.from({ length: 6 }, () => internalRating(front, { ...willingButUnsupported, willingness: 4, tenureBand: 'established' })),
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
    const { apiKey } = await createTenant();
    const unit = (await createUnit(apiKey.secret)).id;
    await createExternalRatings(apiKey.secret, Array.from({ length: 10 }, (_, i) => externalRating(unit, { overall: 2, blamesAttitude: i < 9 })));
    await createInternalRatings(apiKey.secret, Array.from({ length: 5 }, () => internalRating(unit, { ...willingButUnsupported, willingness: 5 })));
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
    const { apiKey } = await createTenant();
    const unit = (await createUnit(apiKey.secret)).id;
    await createExternalRatings(apiKey.secret, Array.from({ length: 10 }, () => externalRating(unit, { overall: 1, blamesAttitude: true })));
    await createInternalRatings(apiKey.secret, Array.from({ length: 4 }, () => internalRating(unit, { ...willingButUnsupported, willingness: 5 })));
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
    const { apiKey } = await createTenant();
    const units = await Promise.all([1, 2, 3, 4, 5].map((i) => createUnit(apiKey.secret, { name: `Branch ${i}` })));
    const support = (level: number) => ({ commitments: level, internalCulture: level, empowerment: level, recognition: level, leadershipSupport: level });
    await createInternalRatings(
      apiKey.secret,
      // Branch 5 has 4 respondents: it does not qualify.
      units.flatMap((unit, i) => Array.from({ length: i === 4 ? 4 : 5 }, () => internalRating(unit.id, support(i + 1)))),
    );
    await createExternalRatings(
      apiKey.secret,
      units.flatMap((unit, i) => Array.from({ length: 10 }, (_, j) => externalRating(unit.id, { overall: j < 2 * (i + 1) ? 5 : 3 }))),
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

  test('an empty or reversed period is a 400; the default is the last 3 complete months', async () => {
    const reversed = await api(`/v1/diagnostics?from=${utcDate(1)}&to=${utcDate(0)}`, { key });
    expect(reversed.status).toBe(400);
    expect((await problemOf(reversed)).errors?.[0]?.pointer).toBe('/to');
    expect((await api(`/v1/diagnostics?from=${utcDate(0)}&to=${utcDate(0)}`, { key })).status).toBe(400);
    const body = (await (await api('/v1/diagnostics', { key })).json()) as Body;
    const now = new Date();
    const first = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
    expect(body.period).toEqual({ from: first(-3), to: first(0) });
  });

  test('costs two round trips: the key lookup, then one batch', async () => {
    const before = await roundTrips();
    const response = await api(`/v1/diagnostics?${PERIOD}&unitId=${front}`, { key });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect((await roundTrips()) - before).toBe(2);
  });
});
