/**
 * The compact planner (worker/domain/disclosure.ts) decides exactly as the planner it replaced
 * (tests/lib/disclosure-reference.ts) on random tenants: 1-30 units in a random tree, created since
 * always, with the first version or later (possibly after their children), re-parented up to 4
 * times, 0-12 respondents per atom over months that straddle now (open months included), both
 * tenure bands and every role, and every cell a route may ask about: the whole tenant and each
 * unit, every split, months, quarters and rolling 12 months from before the first answer to after
 * now. The seed is printed; FC_SEED=<seed> replays a run, FC_RUNS=<n> sets the count.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type Atom,
  atomGrid,
  type CellQuery,
  type DisclosurePeriod,
  monthStart,
  type ParentEntry,
  planDisclosure,
  ROLE_VALUES,
  type Split,
  TENURE_BAND_VALUES,
} from '../../worker/domain/disclosure.ts';
import { referencePlanDisclosure } from '../lib/disclosure-reference.ts';

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FC_RUNS ?? 300);
const NOW = new Date('2026-12-04T12:00:00Z');
const SPLITS: (Split | undefined)[] = [
  undefined,
  ...TENURE_BAND_VALUES.map((value) => ({ dimension: 'tenureBand' as const, value })),
  ...ROLE_VALUES.map((value) => ({ dimension: 'role' as const, value })),
];

/** Every month, quarter and rolling 12 months ending from 16 months ago to next month. */
function everyPeriod(): DisclosurePeriod[] {
  const periods: DisclosurePeriod[] = [];
  for (let end = -16; end <= 1; end++) {
    const to = monthStart(NOW, end);
    periods.push({ kind: 'month', from: monthStart(NOW, end - 1), to }, { kind: 'rolling12', from: monthStart(NOW, end - 12), to });
    if (new Date(`${monthStart(NOW, end - 3)}T00:00:00Z`).getUTCMonth() % 3 === 0) periods.push({ kind: 'quarter', from: monthStart(NOW, end - 3), to });
  }
  return periods;
}

const tenant = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.record({
    // Unit i hangs under an earlier unit or at the root: a tree by construction.
    parents: fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat({ max: i - 1 }), { nil: null })))),
    // When each unit was created: null, no history (placed as today since always); 1, with the first version; or some days into a month,
    // so a unit may be placed after its children (which sit at the root until then) or after the months it has answers in.
    created: fc.tuple(...Array.from({ length: n }, () => fc.oneof(fc.constant(null), fc.constant(1), fc.record({ month: fc.integer({ min: -14, max: 0 }), day: fc.integer({ min: 0, max: 27 }) })))),
    atoms: fc.array(
      fc.record({
        unit: fc.nat({ max: n - 1 }),
        month: fc.integer({ min: -14, max: 0 }),
        band: fc.constantFrom(...TENURE_BAND_VALUES),
        role: fc.constantFrom(...ROLE_VALUES),
        respondents: fc.integer({ min: 0, max: 12 }),
      }),
      { maxLength: 120 },
    ),
    // Re-parentings, each some days into a month: a unit moves under another (unless that would make a cycle) or to the root.
    moves: fc.array(fc.record({ unit: fc.nat({ max: n - 1 }), to: fc.option(fc.nat({ max: n - 1 }), { nil: null }), month: fc.integer({ min: -14, max: 0 }), day: fc.integer({ min: 0, max: 27 }) }), { maxLength: 4 }),
    minimum: fc.constantFrom(3, 5),
  }),
);

describe('planDisclosure agrees with the planner it replaced', () => {
  test('same decision for every cell, and the same number of cells walked, on random tenants', () => {
    console.log(`fast-check seed ${SEED} (override with FC_SEED), ${RUNS} runs`);
    const periods = everyPeriod();
    fc.assert(
      fc.property(tenant, ({ parents, created, atoms: raw, moves, minimum }) => {
        const ids = parents.map((_, i) => `u${String(i).padStart(2, '0')}`);
        const tree = new Map(ids.map((id, i) => [id, parents[i] === null ? null : ids[parents[i]!]!]));
        const history: ParentEntry[] = ids.flatMap((id, i) => {
          const when = created[i]!;
          if (when === null) return [];
          return [{ unitId: id, parentId: tree.get(id)!, validFrom: when === 1 ? 1 : Date.parse(`${monthStart(NOW, when.month)}T00:00:00Z`) + when.day * 86_400_000 }];
        });
        const above = (unit: string, id: string | null): boolean => id !== null && (id === unit || above(unit, tree.get(id)!));
        for (const move of [...moves].sort((a, b) => a.month - b.month || a.day - b.day)) {
          const unit = ids[move.unit]!;
          const to = move.to === null || above(unit, ids[move.to]!) ? null : ids[move.to]!;
          tree.set(unit, to);
          history.push({ unitId: unit, parentId: to, validFrom: Date.parse(`${monthStart(NOW, move.month)}T00:00:00Z`) + move.day * 86_400_000 });
        }
        const atoms: Atom[] = raw.map((a) => ({ unitId: ids[a.unit]!, month: monthStart(NOW, a.month), tenureBand: a.band, role: a.role, respondents: a.respondents }));
        const input = { atoms, history, units: ids.map((id) => ({ id, parentId: tree.get(id)! })), now: NOW, minimum };
        const reference = referencePlanDisclosure(input);
        const compact = planDisclosure({ ...input, atoms: atomGrid(atoms) });
        expect(compact.walked).toBe(reference.walked);
        for (const period of periods) {
          for (const unitId of [null, ...ids]) {
            for (const split of SPLITS) {
              const cell: CellQuery = { period, unitId, ...(split ? { split } : {}) };
              expect(compact.decide(cell), JSON.stringify(cell)).toEqual(reference.decide(cell));
            }
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // CPU-bound: a few seconds alone; more when the machine is shared.
  }, 120_000);
});
