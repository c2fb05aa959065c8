/**
 * GET /v1/diagnostics through the real worker: what changed against the previous period, and the
 * findings that say a figure rose or fell only when the change is significant (issue 17, "What
 * really changed … findings use it").
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import { api, createExternalRatings, createTenant, createUnit, externalRating, internalRating, ownerPool, roundTrips } from './helpers.ts';

interface Finding {
  id: string;
  severity: string;
  text: string;
  supportedBy: string[];
}
type Body = Record<string, any> & { findings: Finding[] };

// Last month against the month before: internal figures are published for ended months only.
const PERIOD = `from=${monthStart(-1)}&to=${monthStart(0)}`;
const owner = ownerPool();

/** 40 clients of `unitId` in the month `offset` months from now: `satisfied` rate overall 5, the rest 2; quality and recommend alike every month. */
const clients = (unitId: string, offset: number, satisfied: number) =>
  Array.from({ length: 40 }, (_, i) =>
    externalRating(unitId, { occurredAt: `${dayOfMonth(offset, 3 + (i % 20))}T12:00:00Z`, overall: i < satisfied ? 5 : 2, quality: 3 + (i % 2), recommend: i % 2 ? 9 : 5 }),
  );

/** `count` staff of `unitId` in the month `offset` months from now, every support answer `low` or `low + 1`. */
const staff = (unitId: string, offset: number, count: number, low: number) =>
  Array.from({ length: count }, (_, i) => {
    const score = low + (i % 2);
    return internalRating(unitId, { occurredOn: dayOfMonth(offset, 5), commitments: score, internalCulture: score, empowerment: score, recognition: score, leadershipSupport: score });
  });

async function diagnostics(key: string, query = ''): Promise<Body> {
  const response = await api(`/v1/diagnostics?${PERIOD}${query}`, { key });
  if (response.status !== 200) throw new Error(`diagnostics: ${response.status} ${await response.text()}`);
  return (await response.json()) as Body;
}

describe('GET /v1/diagnostics: what really changed', () => {
  let key: string;
  let small: string;

  beforeAll(async () => {
    const { apiKey, tenant } = await createTenant({ name: 'Changes' });
    key = apiKey.secret;
    const front = (await createUnit(key, { name: 'Front desk' })).id;
    small = (await createUnit(key, { name: 'Small team' })).id;
    // CSAT 40% → 80% (significant); quality and NPS the same in both months.
    await createExternalRatings(key, [...clients(front, -2, 16), ...clients(front, -1, 32)]);
    // Support index 2.5 → 4.5 tenant-wide; the small team had 3 respondents the month before, 6 last month.
    await seedInternalRatings(owner, tenant.id, [...staff(front, -2, 10, 2), ...staff(small, -2, 3, 2), ...staff(front, -1, 10, 4), ...staff(small, -1, 6, 4)]);
  });

  test('a significant rise is said, with its interval; figures that did not really change are named as no real change; one round trip', async () => {
    await diagnostics(key); // the first read after the data changed plans what may be published and stores the plan
    const before = await roundTrips();
    const body = await diagnostics(key);
    expect((await roundTrips()) - before).toBe(1);
    expect(body.changes.previousPeriod).toEqual({ from: monthStart(-2), to: monthStart(-1) });
    const { csat, quality, nps, supportIndex } = body.changes.figures;
    expect(csat).toMatchObject({ previous: 0.4, current: 0.8, significant: true, test: 'two-proportion-z' });
    expect(csat.difference).toBeCloseTo(0.4, 12);
    expect(csat.interval.low).toBeGreaterThan(0);
    expect(quality).toMatchObject({ previous: 3.5, current: 3.5, difference: 0, significant: false, test: 'welch-t' });
    expect(nps).toMatchObject({ difference: 0, significant: false, test: 'net-score-z' });
    // The month before: 10 at the front desk (5 × 2, 5 × 3) and the team's 3 (2, 3, 2); last month 16 answering 4 or 5 evenly.
    expect(supportIndex).toMatchObject({ previous: 32 / 13, current: 4.5, significant: true });
    expect(body.changes.figures.cost).toBeNull();

    const byId = new Map(body.findings.map((f) => [f.id, f]));
    expect(byId.get('change-csat')).toMatchObject({ severity: 'info', supportedBy: ['changes.figures.csat'] });
    expect(byId.get('change-csat')!.text).toMatch(/^Customer satisfaction \(CSAT\) rose from 40% to 80% against the previous period \(\+40 points, 95% interval \+\d+ to \+\d+\): a real change, not chance\.$/);
    expect(byId.get('change-supportIndex')!.text).toMatch(/^Internal support rose from /);
    // Staff recommend the employer 7 of 10 in both months: eNPS 0 and 0.
    expect(byId.get('no-real-change')).toMatchObject({ severity: 'info', supportedBy: ['changes.figures.quality', 'changes.figures.nps', 'changes.figures.enps'] });
    expect(byId.get('no-real-change')!.text).toContain('in Quality, Net Promoter Score and Employee Net Promoter Score:');
    // Every finding that says a figure rose or fell rests on a significant change.
    for (const finding of body.findings.filter((f) => /\b(rose|fell)\b/.test(f.text))) {
      for (const path of finding.supportedBy) expect(body.changes.figures[path.split('.').at(-1)!].significant, finding.id).toBe(true);
    }
  });

  test('an internal change is withheld where the previous period’s cell is not published, and no finding rests on it', async () => {
    const body = await diagnostics(key, `&unitId=${small}`);
    expect(body.changes.figures.supportIndex).toMatchObject({ suppressed: true });
    expect(body.changes.figures.enps).toMatchObject({ suppressed: true });
    expect(body.findings.some((f) => f.supportedBy.some((path) => /supportIndex|enps/.test(path)))).toBe(false);
    // The team has no clients: nothing to compare outside either.
    expect(body.changes.figures.csat).toBeNull();
  });
});
