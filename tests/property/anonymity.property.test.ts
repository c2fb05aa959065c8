/**
 * The disclosure rule as a property (issue 14): for random small tenants — units of 1-12
 * respondents over several ended months, both tenure bands, all roles, a unit tree that an admin
 * then re-parents — every read the API allows (scorecard by month, quarter, rolling12 and week, split
 * by tenure band or role,
 * windows shifted by days, diagnostics and key drivers (across units and respondent-level) over
 * every whole and shifted period, for the tenant and every unit, before and after the move, and the
 * tenant's own internal values in benchmarks of every kind of period) is collected as published cells, and no set of 1-4
 * respondents may have its total determined by them (a rank test, tests/lib/anonymity-rank.ts).
 * The seed is printed; ANONYMITY_SEED=<seed> replays a run, ANONYMITY_RUNS=<n> sets the count.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createTenant, createUnit, internalRating, issueApiKey, ownerPool, runBenchmarkJob } from '../api/helpers.ts';
import { determinedSmallGroups, type Respondent } from '../lib/anonymity-rank.ts';
import {
  benchmarkCells,
  diagnosticsCells,
  heatmapCells,
  keyDriversCells,
  type PublishedCell,
  respondentDriversCells,
  scorecardCells,
  subtreeOf,
} from '../lib/anonymity-reads.ts';
import { dayOfMonth, monthStart, seedInternalRatings } from '../lib/internal-seed.ts';

const pool = ownerPool();
const seed = Number(process.env.ANONYMITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.ANONYMITY_RUNS ?? 3);
/** The ended months the respondents answer in, as offsets from this month. */
const MONTHS = [-4, -3, -2, -1] as const;

const tenantArbitrary = fc
  .integer({ min: 2, max: 4 })
  .chain((unitCount) =>
    fc.record({
      // Unit i hangs under an earlier unit or at the root: a tree by construction.
      parents: fc.tuple(...Array.from({ length: unitCount }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat({ max: i - 1 }), { nil: null })))),
      units: fc.tuple(
        ...Array.from({ length: unitCount }, () =>
          fc.array(
            fc.record({
              month: fc.constantFrom(...MONTHS),
              day: fc.integer({ min: 1, max: 28 }),
              tenureBand: fc.constantFrom('new' as const, 'established' as const),
              role: fc.constantFrom('frontline' as const, 'support' as const, 'leader' as const),
            }),
            { minLength: 1, maxLength: 12 },
          ),
        ),
      ),
      // Which unit moves, and under which (an index that may be an own descendant: then it becomes a root).
      move: fc.record({ unit: fc.nat({ max: unitCount - 1 }), parent: fc.option(fc.nat({ max: unitCount - 1 }), { nil: null }) }),
    }),
  );

/** Every read a tenant can make of internal figures, for the tenant and each unit. */
async function readEverything(key: string, unitIds: readonly string[], parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const lastQuarter = -(new Date().getUTCMonth() % 3) - 3;
  const reads: (() => Promise<PublishedCell[]>)[] = [];
  for (const scope of ['', ...unitIds.map((id) => `&unitId=${id}`)]) {
    // Everything for the tenant; for units, every kind of read but fewer repeats, to keep the run short.
    const everything = scope === '';
    const scorecards = [
      `interval=month&from=${monthStart(-5)}&to=${monthStart(0)}`,
      `interval=month&from=${monthStart(-5)}&to=${monthStart(0)}&split=tenureBand`,
      `interval=quarter&from=${monthStart(-8)}&to=${monthStart(0)}&split=role`,
      `interval=quarter&from=${monthStart(-8)}&to=${monthStart(0)}`,
      `interval=week&from=${monthStart(-4)}&to=${monthStart(0)}`,
      ...(everything ? [-3, -2, -1, 0] : [-2, 0]).map((end) => `interval=rolling12&to=${monthStart(end)}`),
      // A shifted window: a month cut short by a day.
      `interval=month&from=${monthStart(-2)}&to=${dayOfMonth(-2, 15)}`,
    ];
    for (const query of scorecards) reads.push(() => scorecardCells(key, query + scope, parents));
    const windows = [
      ...MONTHS.map((m) => [monthStart(m), monthStart(m + 1)]),
      [monthStart(lastQuarter), monthStart(lastQuarter + 3)],
      [monthStart(-12), monthStart(0)],
      ...(everything ? [[monthStart(-2), dayOfMonth(-2, 15)], [dayOfMonth(-3, 10), monthStart(0)]] : []),
    ];
    for (const [from, to] of windows) {
      reads.push(() => diagnosticsCells(key, `from=${from}&to=${to}${scope}`, parents));
      reads.push(() => respondentDriversCells(key, `from=${from}&to=${to}${scope}`, parents));
      if (everything) reads.push(() => keyDriversCells(key, `from=${from}&to=${to}`, parents));
    }
  }
  for (const kind of ['month', 'quarter', 'rolling12'] as const) reads.push(() => benchmarkCells(key, kind));
  // The heatmap reads every unit at once, per whole period.
  for (const [from, to] of [...MONTHS.map((m) => [monthStart(m), monthStart(m + 1)]), [monthStart(lastQuarter), monthStart(lastQuarter + 3)], [monthStart(-12), monthStart(0)]]) {
    reads.push(() => heatmapCells(key, `from=${from}&to=${to}`, parents));
  }
  // A few at a time: the answers do not depend on each other's order.
  const cells: PublishedCell[] = [];
  for (let i = 0; i < reads.length; i += 8) cells.push(...(await Promise.all(reads.slice(i, i + 8).map((read) => read()))).flat());
  return cells;
}

describe('anonymity, as a property over the whole API', () => {
  // Five peers with enough internal answers in every month, so each tenant's cohort is published and benchmarks show its own values.
  beforeAll(async () => {
    for (let k = 0; k < 5; k++) {
      const peer = await createTenant({ name: `Peer ${k}`, benchmarkOptIn: true });
      const unitId = (await createUnit(peer.apiKey.secret)).id;
      await seedInternalRatings(pool, peer.tenant.id, MONTHS.flatMap((month) => Array.from({ length: 10 }, (_, j) => internalRating(unitId, { occurredOn: dayOfMonth(month, 1 + j) }))));
    }
  }, 60_000);

  test(`no published combination determines 1-4 respondents (seed ${seed})`, { timeout: 120_000 }, async () => {
    console.log(`anonymity property: seed ${seed}, ${numRuns} runs (ANONYMITY_SEED=${seed} replays)`);
    await fc.assert(
      fc.asyncProperty(tenantArbitrary, async (shape) => {
        const { tenant, apiKey } = await createTenant({ name: 'Property', benchmarkOptIn: true });
        const reader = (await issueApiKey(apiKey.secret, { scopes: ['reports:read'] })).secret;
        const parents = new Map<string, string | null>();
        const ids: string[] = [];
        for (const parent of shape.parents) {
          const parentId = parent === null ? null : ids[parent]!;
          const id = (await createUnit(apiKey.secret, parentId ? { parentId } : {})).id;
          ids.push(id);
          parents.set(id, parentId);
        }
        const respondents: Respondent[] = shape.units.flatMap((answers, i) =>
          answers.map((a) => ({ unitId: ids[i]!, day: dayOfMonth(a.month, a.day), tenureBand: a.tenureBand, role: a.role })),
        );
        await seedInternalRatings(
          pool,
          tenant.id,
          respondents.map((r) => internalRating(r.unitId, { occurredOn: r.day, tenureBand: r.tenureBand, role: r.role })),
        );
        // Snapshots for the ended periods, so benchmarks show the tenant its own internal values.
        expect(await runBenchmarkJob({ at: new Date(`${monthStart(0)}T00:00:00Z`).toISOString() })).toMatchObject({ status: 'succeeded' });
        const cells = await readEverything(reader, ids, parents);

        const moving = ids[shape.move.unit]!;
        const target = shape.move.parent === null ? null : ids[shape.move.parent]!;
        const newParent = target !== null && !subtreeOf(parents, moving).has(target) ? target : null;
        const moved = await api(`/v1/units/${moving}`, { method: 'PATCH', key: apiKey.secret, json: { parentId: newParent } });
        expect(moved.status).toBe(200);
        parents.set(moving, newParent);
        cells.push(...(await readEverything(reader, ids, parents)));

        const started = performance.now();
        const determined = determinedSmallGroups(respondents, cells.map((cell) => cell.covers));
        if (determined.length > 0) {
          throw new Error(`determined: ${JSON.stringify(determined.slice(0, 3))}; published cells: ${cells.map((c) => c.source).join('; ')}`);
        }
        if (process.env.ANONYMITY_TIMING) console.log(`rank check ${Math.round(performance.now() - started)} ms over ${cells.length} cells`);
      }),
      { seed, numRuns, endOnFailure: true },
    );
  });
});
