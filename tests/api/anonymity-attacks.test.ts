/**
 * Issue 14's attacks on internal ratings, each tried as a hostile tenant would with the documented
 * API, each asserting that the hidden respondents' answers can no longer be computed: every figure
 * the attack reads is collected as a published cell, and no set of 1-4 respondents may have its
 * total determined by them (tests/lib/anonymity-rank.ts).
 */
import { describe, expect, test } from 'vitest';
import { type Respondent, determinedSmallGroups } from '../lib/anonymity-rank.ts';
import { diagnosticsCells, type PublishedCell, scorecardCells } from '../lib/anonymity-reads.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';
import {
  api,
  createPartnerClient,
  createTenant,
  createUnit,
  internalRating,
  issueApiKey,
  listAll,
  ownerPool,
  problemOf,
  accessToken,
} from './helpers.ts';

const pool = ownerPool();

/** A tenant with a reader key, and a way to add respondents it knows in ended months. */
async function victim() {
  const { tenant, apiKey } = await createTenant({ name: 'Victim' });
  const reader = (await issueApiKey(apiKey.secret, { scopes: ['reports:read'] })).secret;
  const respondents: Respondent[] = [];
  const parents = new Map<string, string | null>();
  const unit = async (parentId: string | null = null) => {
    const id = (await createUnit(apiKey.secret, parentId ? { parentId } : {})).id;
    parents.set(id, parentId);
    return id;
  };
  const answer = async (unitId: string, day: string, count: number, extra: Partial<Respondent> = {}) => {
    const rows = Array.from({ length: count }, () => ({ unitId, day, tenureBand: 'new' as const, role: 'frontline' as const, ...extra }));
    respondents.push(...rows);
    await seedInternalRatings(
      pool,
      tenant.id,
      rows.map((r) => internalRating(r.unitId, { occurredOn: r.day, tenureBand: r.tenureBand, role: r.role })),
    );
  };
  return { tenant, admin: apiKey.secret, reader, respondents, parents, unit, answer };
}

function expectNothingIsolated(respondents: Respondent[], cells: PublishedCell[]) {
  expect(determinedSmallGroups(respondents, cells.map((c) => c.covers))).toEqual([]);
}

/** The first month (offset from this one) of the last complete calendar quarter. */
const lastQuarter = () => -(new Date().getUTCMonth() % 3) - 3;

describe('anonymity attacks (issue 14)', () => {
  test('1. shifted window: every `to` gives the whole month, so two windows cannot differ by one respondent', async () => {
    const t = await victim();
    const u = await t.unit();
    await t.answer(u, dayOfMonth(-1, 5), 6);
    await t.answer(u, dayOfMonth(-1, 21), 1);
    const read = async (to: string) => (await (await api(`/v1/scorecard?interval=month&from=${monthStart(-1)}&to=${to}`, { key: t.reader })).json()) as any;
    const [before, after] = [await read(dayOfMonth(-1, 21)), await read(dayOfMonth(-1, 22))];
    expect(before.periods).toEqual(after.periods);
    expect(before.periods[0]).toMatchObject({ from: monthStart(-1), to: monthStart(0), internal: { respondents: 7 } });
    const shifted = await api(`/v1/diagnostics?from=${monthStart(-1)}&to=${dayOfMonth(-1, 21)}`, { key: t.reader });
    expect(shifted.status).toBe(422);
    expect((await problemOf(shifted)).errors!.map((e) => e.pointer)).toContain('/to');
    const cells = [
      ...(await scorecardCells(t.reader, `from=${monthStart(-1)}&to=${dayOfMonth(-1, 21)}`, t.parents)),
      ...(await scorecardCells(t.reader, `from=${monthStart(-1)}&to=${dayOfMonth(-1, 22)}`, t.parents)),
      ...(await scorecardCells(t.reader, `interval=week&from=${monthStart(-1)}&to=${monthStart(0)}`, t.parents)),
    ];
    expectNothingIsolated(t.respondents, cells);
  });

  test('2. nested periods: a month, its quarter and rolling12 windows never leave one month isolated', async () => {
    const t = await victim();
    const u = await t.unit();
    const q = lastQuarter();
    await t.answer(u, dayOfMonth(q, 10), 7);
    await t.answer(u, dayOfMonth(q + 1, 10), 1);
    const months = (await (await api(`/v1/scorecard?interval=month&from=${monthStart(q)}&to=${monthStart(q + 3)}`, { key: t.reader })).json()) as any;
    expect(months.periods[0].internal.respondents).toBe(7);
    expect(months.periods[1].internal.respondents).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    const quarter = (await (await api(`/v1/scorecard?interval=quarter&from=${monthStart(q)}&to=${monthStart(q + 3)}`, { key: t.reader })).json()) as any;
    expect(quarter.periods[0].internal.respondents).toEqual({ suppressed: true, reason: 'complementary' });
    const cells: PublishedCell[] = [];
    for (const query of [
      `interval=month&from=${monthStart(q - 2)}&to=${monthStart(0)}`,
      `interval=quarter&from=${monthStart(q - 3)}&to=${monthStart(0)}`,
      ...[0, 1, 2, 3].map((end) => `interval=rolling12&to=${monthStart(q + end)}`),
    ]) {
      cells.push(...(await scorecardCells(t.reader, query, t.parents)));
    }
    for (const [from, to] of [[q, q + 1], [q + 1, q + 2], [q, q + 3], [q - 11, q + 1], [q - 10, q + 2]]) {
      cells.push(...(await diagnosticsCells(t.reader, `from=${monthStart(from!)}&to=${monthStart(to!)}`, t.parents)));
    }
    expect(cells.length).toBeGreaterThan(0);
    expectNothingIsolated(t.respondents, cells);
  });

  test('3. cross-tabulation: scorecard and diagnostics tenure splits cannot be subtracted from each other', async () => {
    const t = await victim();
    const u = await t.unit();
    const v = await t.unit();
    await t.answer(u, dayOfMonth(-1, 3), 5, { tenureBand: 'established' });
    await t.answer(u, dayOfMonth(-1, 3), 3, { tenureBand: 'new' });
    await t.answer(v, dayOfMonth(-1, 3), 6, { tenureBand: 'new' });
    await t.answer(v, dayOfMonth(-1, 3), 6, { tenureBand: 'established' });
    const month = `from=${monthStart(-1)}&to=${monthStart(0)}`;
    const cells: PublishedCell[] = [];
    for (const scope of ['', `&unitId=${u}`, `&unitId=${v}`]) {
      cells.push(...(await scorecardCells(t.reader, month + scope, t.parents)));
      cells.push(...(await scorecardCells(t.reader, `${month}${scope}&split=tenureBand`, t.parents)));
      cells.push(...(await scorecardCells(t.reader, `${month}${scope}&split=role`, t.parents)));
      cells.push(...(await diagnosticsCells(t.reader, month + scope, t.parents)));
    }
    const unitU = (await (await api(`/v1/scorecard?${month}&unitId=${u}`, { key: t.reader })).json()) as any;
    const decayU = (await (await api(`/v1/diagnostics?${month}&unitId=${u}`, { key: t.reader })).json()) as any;
    // U's whole and U's established staff are never both shown: their difference is its 3 new staff.
    expect(unitU.periods[0].internal.willingness.suppressed === true || decayU.attitudeDecay.established?.suppressed === true).toBe(true);
    expectNothingIsolated(t.respondents, cells);
  });

  test('4. moving units: a child hidden to protect its parent stays hidden after it is re-parented', async () => {
    const t = await victim();
    const parent = await t.unit();
    const child = await t.unit(parent);
    const empty = await t.unit();
    await t.answer(parent, dayOfMonth(-1, 8), 1);
    await t.answer(child, dayOfMonth(-1, 8), 6);
    const month = `from=${monthStart(-1)}&to=${monthStart(0)}`;
    const readAll = async () => {
      const cells: PublishedCell[] = [];
      for (const scope of ['', ...[parent, child, empty].map((id) => `&unitId=${id}`)]) {
        cells.push(...(await scorecardCells(t.reader, month + scope, t.parents)));
        cells.push(...(await diagnosticsCells(t.reader, month + scope, t.parents)));
      }
      return cells;
    };
    const before = await readAll();
    const childBefore = (await (await api(`/v1/scorecard?${month}&unitId=${child}`, { key: t.reader })).json()) as any;
    expect(childBefore.periods[0].internal.respondents).toEqual({ suppressed: true, reason: 'complementary' });

    const moved = await api(`/v1/units/${child}`, { method: 'PATCH', key: t.admin, json: { parentId: empty } });
    expect(moved.status).toBe(200);
    t.parents.set(child, empty);
    const after = await readAll();
    for (const id of [child, empty]) {
      const body = (await (await api(`/v1/scorecard?${month}&unitId=${id}`, { key: t.reader })).json()) as any;
      expect(body.periods[0].internal.respondents, id === child ? 'child' : 'new parent').toEqual({ suppressed: true, reason: 'complementary' });
    }
    expectNothingIsolated(t.respondents, [...before, ...after]);
  });

  test('5. padding: whoever writes internal ratings cannot read figures, and cannot write into a published month', async () => {
    const t = await victim();
    const u = await t.unit();
    await t.answer(u, dayOfMonth(-1, 8), 1);
    const padding = Array.from({ length: 4 }, () => internalRating(u, { occurredOn: dayOfMonth(-1, 9) }));

    // The README's partner client (ratings:write + reports:read) and the admin key cannot write internal ratings.
    const partner = await createPartnerClient(t.admin, { scopes: ['ratings:write', 'reports:read'] });
    const partnerToken = await accessToken(partner);
    for (const key of [partnerToken, t.admin]) {
      const refused = await api('/v1/internal-ratings/batch', { method: 'POST', key, json: { items: padding } });
      expect(refused.status).toBe(403);
      expect((await problemOf(refused)).detail).toContain('internal-ratings:write');
    }
    // No credential may hold both sides.
    for (const scopes of [['internal-ratings:write', 'reports:read'], ['internal-ratings:write', 'admin']]) {
      for (const path of ['/v1/api-keys', '/v1/partner-clients']) {
        const response = await api(path, { method: 'POST', key: t.admin, json: { name: 'Both', scopes } });
        expect(response.status, `${path} ${scopes}`).toBe(422);
        const problem = await problemOf(response);
        expect(problem.errors!.map((e) => e.pointer)).toContain('/scopes');
        expect(problem.errors!.map((e) => e.detail).join()).toContain('internal-ratings:write');
      }
    }
    // A writing key can write, but not into a month already published, and cannot read.
    const writer = (await issueApiKey(t.admin, { scopes: ['internal-ratings:write'] })).secret;
    const late = await api('/v1/internal-ratings/batch', { method: 'POST', key: writer, json: { items: padding } });
    expect(late.status).toBe(422);
    const lateProblem = await problemOf(late);
    expect(lateProblem.errors!.map((e) => e.pointer)).toContain('/items/0/occurredOn');
    expect(lateProblem.errors![0]!.detail).toContain('current month');
    expect((await api('/v1/scorecard', { key: writer })).status).toBe(403);
    expect((await api('/v1/diagnostics', { key: writer })).status).toBe(403);

    const current = Array.from({ length: 4 }, () => internalRating(u));
    expect((await api('/v1/internal-ratings/batch', { method: 'POST', key: writer, json: { items: current } })).status).toBe(201);
    // This month's figures are not published until it ends, and last month's did not move.
    const scorecard = (await (await api(`/v1/scorecard?from=${monthStart(-1)}&to=${monthStart(1)}&unitId=${u}`, { key: t.reader })).json()) as any;
    expect(scorecard.periods[0].internal.respondents).toEqual({ suppressed: true, reason: 'too-few-respondents' });
    expect(scorecard.periods[1].internal.respondents).toEqual({ suppressed: true, reason: 'period-open' });

    // The audit log shows who wrote how many, and nothing of what was written.
    const events = await listAll<{ action: string; actorId: string; details: Record<string, unknown> }>('/v1/audit-events?action=internal_ratings.recorded', t.admin);
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toEqual({ ratings: 4, units: 1 });
  });
});
