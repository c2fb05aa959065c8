/**
 * Which internal figures may be published: one decision for every route that reads internal
 * ratings (DOMAIN.md, "Privacy thresholds"; issue 14).
 *
 * **Cells.** An internal figure is a function of one cell's (count, sums): the respondents of a
 * unit subtree (or the whole tenant) over one whole period, with at most one split (a tenure band or
 * a role). Periods are closed calendar months, closed quarters and rolling windows of 12 whole
 * months, each published only once it has ended. Weeks are not cells: they straddle months, so
 * they would make every (unit, week, band, role) an atom, about four times finer, and leave far
 * less publishable. A unit subtree is taken under every version the unit tree has had, not only
 * today's: re-parenting must not make a group visible whose complement was published before.
 *
 * **Atoms.** Respondents are grouped by (unit, month, tenure band, role), the finest grain any cell
 * is made of: no published figure can tell two respondents of one atom apart.
 *
 * **Rule (common refinement).** All candidate cells are walked in one canonical order: by when the
 * cell became possible (its period's end, or the first tree version with its subtree, whichever is
 * later), then whole cells before splits (so a unit's own figures are not given up for a split of
 * the tenant), then coarse before fine (rolling12, quarter, month; more respondents before fewer,
 * which are frozen once the period has ended), then by ids. Atoms are partitioned by their membership signature over the cells
 * published so far. A cell is published only if, after adding it, every class with a non-zero
 * signature holds 0 or at least `minimum` respondents; otherwise it is withheld.
 *
 * **Why no group of 1 to minimum − 1 respondents can be recovered.** Each published cell's count
 * and sums are linear in the respondents' answers, with a membership vector that is constant on
 * every class (a class is exactly a set of atoms that no published cell tells apart). So is any
 * linear combination of published cells, and it is 0 on the class of signature zero. The total of a
 * set S of respondents is determined only if S's indicator is such a combination: then S is a union
 * of classes of non-zero signature, each of at least `minimum` respondents, so |S| ≥ minimum.
 *
 * **Why earlier answers stay true.** A month's internal ratings are refused once the month has
 * ended (its atoms are frozen), tree versions are only appended, and a new candidate (a period that
 * ends, a tree version) becomes possible later than every cell already walked, so it sorts after
 * them: the walk only ever grows at its end, and a cell published once stays published.
 */
import { MIN_GROUP_RESPONDENTS } from './measures.ts';

export const TENURE_BAND_VALUES = ['new', 'established'] as const;
export const ROLE_VALUES = ['frontline', 'support', 'leader'] as const;
export type TenureBandValue = (typeof TENURE_BAND_VALUES)[number];
export type RoleValue = (typeof ROLE_VALUES)[number];

/** The periods internal figures are published for. */
export const DISCLOSURE_PERIODS = ['month', 'quarter', 'rolling12'] as const;
export type DisclosurePeriodKind = (typeof DISCLOSURE_PERIODS)[number];

/** A whole period: `from` inclusive, `to` exclusive, both the first day of a month (YYYY-MM-DD). */
export interface DisclosurePeriod {
  kind: DisclosurePeriodKind;
  from: string;
  to: string;
}

/** Respondents of one unit, month (its first day), tenure band and role. */
export interface Atom {
  unitId: string;
  month: string;
  tenureBand: TenureBandValue;
  role: RoleValue;
  respondents: number;
}

/** From `validFrom` (ms) on, `unitId` sits under `parentId`; a unit's first entry is its creation. */
export interface ParentEntry {
  unitId: string;
  parentId: string | null;
  validFrom: number;
}

export type Split = { dimension: 'tenureBand'; value: TenureBandValue } | { dimension: 'role'; value: RoleValue };

export interface CellQuery {
  period: DisclosurePeriod;
  /** The subtree of this unit under today's tree; null: the whole tenant. */
  unitId: string | null;
  split?: Split;
}

/**
 * `too-few-respondents`: the cell holds 1 to minimum − 1; `complementary`: publishing it would let
 * published cells isolate such a group; `period-open`: the period has not ended; `not-published`:
 * not a cell at all (a week).
 */
export const WITHHELD_REASONS = ['too-few-respondents', 'complementary', 'period-open', 'not-published'] as const;
export type WithheldReason = (typeof WITHHELD_REASONS)[number];
export type Decision = { published: true } | { published: false; reason: WithheldReason };

export interface DisclosureInput {
  atoms: readonly Atom[] | AtomGrid;
  /** The parent history of the tenant's units. */
  history: readonly ParentEntry[];
  /** Every unit today with its parent: units without history count as placed there since always. */
  units: readonly { id: string; parentId: string | null }[];
  now: Date;
  minimum?: number;
}

export interface Disclosure {
  decide(cell: CellQuery): Decision;
  /** Candidate cells decided; for measurements. */
  walked: number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const RANK: Record<DisclosurePeriodKind, number> = { rolling12: 0, quarter: 1, month: 2 };
const MONTH_MS_KEY = (date: Date) => date.toISOString().slice(0, 10);
const parseDay = (day: string) => new Date(`${day}T00:00:00Z`);

export function monthStart(date: Date, offset = 0): string {
  return MONTH_MS_KEY(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1)));
}

/** The months (first days) a period is made of. */
export function monthsOf(period: { from: string; to: string }): string[] {
  const months: string[] = [];
  for (let cursor = parseDay(period.from); MONTH_MS_KEY(cursor) < period.to; cursor = parseDay(monthStart(cursor, 1))) {
    months.push(MONTH_MS_KEY(cursor));
  }
  return months;
}

/** Whether `period` has ended at `now`: only then are its internal figures published. */
export const isClosed = (period: { to: string }, now: Date) => parseDay(period.to).getTime() <= now.getTime();

const periodKey = (period: DisclosurePeriod) => `${period.kind}:${period.from}`;
const splitKey = (split: Split | undefined) => (split ? `${split.dimension}=${split.value}` : '');
const SPLITS: (Split | undefined)[] = [
  undefined,
  ...TENURE_BAND_VALUES.map((value) => ({ dimension: 'tenureBand' as const, value })),
  ...ROLE_VALUES.map((value) => ({ dimension: 'role' as const, value })),
];

/**
 * Every subtree (a unit and every unit below it) the unit tree has had, as keys (its unit ids,
 * sorted and joined) in the order first seen after the tenant's (0), with the time a version first
 * had it; and today's subtree of each unit, as its index in that order. Versions: units without
 * history are placed as today since always, then each distinct time of the history is a version.
 * A version only forms again the subtrees it can change, those of the units it places and of their
 * ancestors before and after: no version copies the tree, and a subtree's key is built once per
 * change, not once per unit and version.
 */
function subtreeHistory(input: DisclosureInput): { subtrees: Map<string, { id: number; units: readonly string[]; firstSeen: number }>; current: Map<string, number> } {
  const withHistory = new Set(input.history.map((entry) => entry.unitId));
  const parentOf = new Map<string, string | null>();
  // Units under each parent, whether or not that parent is placed yet: a parent placed later finds its children here.
  const children = new Map<string, Set<string>>();
  const place = (unitId: string, parentId: string | null) => {
    if (parentOf.has(unitId)) children.get(parentOf.get(unitId)!)?.delete(unitId);
    parentOf.set(unitId, parentId);
    if (parentId === null) return;
    const siblings = children.get(parentId);
    if (siblings) siblings.add(unitId);
    else children.set(parentId, new Set([unitId]));
  };
  /** The unit and its ancestors (a parent not yet placed is no ancestor); guarded: a cycle cannot be stored, but a bad row must not loop. */
  const upward = (unitId: string, into: Set<string>) => {
    const path = new Set<string>();
    for (let id: string | null | undefined = unitId; id != null && parentOf.has(id) && !path.has(id); id = parentOf.get(id)) path.add(id), into.add(id);
  };
  const subtrees = new Map([['tenant', { id: 0, units: [] as readonly string[], firstSeen: 0 }]]);
  const current = new Map<string, number>();
  const seen = new Set<string>();
  const form = (unitId: string, time: number) => {
    const inside = [unitId];
    seen.clear();
    seen.add(unitId);
    for (let i = 0; i < inside.length; i++) for (const child of children.get(inside[i]!) ?? []) if (!seen.has(child)) seen.add(child), inside.push(child);
    const key = inside.sort().join(',');
    let subtree = subtrees.get(key);
    if (!subtree) subtrees.set(key, (subtree = { id: subtrees.size, units: inside, firstSeen: time }));
    current.set(unitId, subtree.id);
  };
  for (const unit of input.units) if (!withHistory.has(unit.id)) place(unit.id, unit.parentId);
  const entries = [...input.history].sort((a, b) => a.validFrom - b.validFrom);
  const changed = new Set<string>();
  let time = 0;
  let next = 0;
  // The first version begins at 0 (with the entries of time 0, if any) and holds every unit placed by then.
  while (next < entries.length && entries[next]!.validFrom === 0) place(entries[next]!.unitId, entries[next++]!.parentId);
  for (const unitId of parentOf.keys()) form(unitId, time);
  while (next < entries.length) {
    time = entries[next]!.validFrom;
    const placed: string[] = [];
    changed.clear();
    for (; next < entries.length && entries[next]!.validFrom === time; next++) placed.push(entries[next]!.unitId), upward(entries[next]!.unitId, changed);
    for (let k = next - placed.length; k < next; k++) place(entries[k]!.unitId, entries[k]!.parentId);
    for (const unitId of placed) upward(unitId, changed);
    for (const unitId of changed) form(unitId, time);
  }
  return { subtrees, current };
}

/** The closed periods that hold any of `months`. */
function candidatePeriods(months: readonly string[], now: Date): DisclosurePeriod[] {
  if (months.length === 0) return [];
  const periods = new Map<string, DisclosurePeriod>();
  const add = (period: DisclosurePeriod) => isClosed(period, now) && periods.set(periodKey(period), period);
  for (const month of months) {
    const date = parseDay(month);
    add({ kind: 'month', from: month, to: monthStart(date, 1) });
    const quarter = monthStart(date, -(date.getUTCMonth() % 3));
    add({ kind: 'quarter', from: quarter, to: monthStart(parseDay(quarter), 3) });
    for (let end = 1; end <= 12; end++) add({ kind: 'rolling12', from: monthStart(date, end - 12), to: monthStart(date, end) });
  }
  return [...periods.values()];
}

/** Tenure band × role: an atom's slot, band × ROLE_VALUES.length + role. */
const SLOTS = TENURE_BAND_VALUES.length * ROLE_VALUES.length;
const slotOf = (band: TenureBandValue, role: RoleValue) => TENURE_BAND_VALUES.indexOf(band) * ROLE_VALUES.length + ROLE_VALUES.indexOf(role);
/** Whether split k (its index in SPLITS) holds slot s: SPLIT_HOLDS[k × SLOTS + s]. */
const SPLIT_HOLDS = Uint8Array.from({ length: SPLITS.length * SLOTS }, (_, i) => {
  const split = SPLITS[(i / SLOTS) | 0];
  const slot = i % SLOTS;
  if (split === undefined) return 1;
  return split.dimension === 'tenureBand'
    ? Number(TENURE_BAND_VALUES.indexOf(split.value) === ((slot / ROLE_VALUES.length) | 0))
    : Number(ROLE_VALUES.indexOf(split.value) === slot % ROLE_VALUES.length);
});

/**
 * A tenant's atoms as a grid: how years of a large tenant's atoms fit in a Worker's 128 MB. An atom
 * is an index, and the atoms of month m and unit u are the indexes start[m·U + u] .. start[m·U + u + 1)
 * (U = unitIds.length), so the walk reaches a cell's atoms with no further index, and an atom costs
 * 5 bytes (its slot and respondents; 4 more per unit-month for `start`), with no id or string per atom.
 */
export interface AtomGrid {
  /** The unit ids that unit indexes name. */
  unitIds: readonly string[];
  /** The months (first days) with any respondent, oldest first. */
  months: readonly string[];
  start: Int32Array;
  /** Each atom's tenure band × role: band × ROLE_VALUES.length + role. */
  slot: Uint8Array;
  /** Each atom's respondents, at least 1: atoms without respondents are left out. */
  respondents: Int32Array;
  length: number;
}

/**
 * Collects atoms in any order, one page at a time: nothing per atom outlives `add`. Until `build`,
 * each month is a dense unit × slot array of respondents (24 bytes per unit-month; atoms met twice
 * add up, as one atom). `unitIds`: the tenant's units, if known, so the months need not grow.
 */
export function atomGridBuilder(unitIds: readonly string[] = []) {
  const unitIndex = new Map<string, number>();
  for (const id of unitIds) if (!unitIndex.has(id)) unitIndex.set(id, unitIndex.size);
  let capacity = Math.max(64, unitIndex.size);
  const byMonth = new Map<string, Int32Array>();
  return {
    add(atom: Atom): void {
      let u = unitIndex.get(atom.unitId);
      if (u === undefined) unitIndex.set(atom.unitId, (u = unitIndex.size));
      if (u >= capacity) {
        capacity *= 2;
        for (const [month, dense] of byMonth) {
          const next = new Int32Array(capacity * SLOTS);
          next.set(dense);
          byMonth.set(month, next);
        }
      }
      let dense = byMonth.get(atom.month);
      if (!dense) byMonth.set(atom.month, (dense = new Int32Array(capacity * SLOTS)));
      dense[u * SLOTS + slotOf(atom.tenureBand, atom.role)]! += atom.respondents;
    },
    build(): AtomGrid {
      const unitCount = unitIndex.size;
      const width = unitCount * SLOTS;
      const filled = (dense: Int32Array) => {
        let n = 0;
        for (let i = 0; i < width; i++) if (dense[i]! > 0) n++;
        return n;
      };
      const months = [...byMonth.keys()].filter((month) => filled(byMonth.get(month)!) > 0).sort(compare);
      const length = months.reduce((sum, month) => sum + filled(byMonth.get(month)!), 0);
      const start = new Int32Array(months.length * unitCount + 1);
      const slot = new Uint8Array(length);
      const respondents = new Int32Array(length);
      let k = 0;
      months.forEach((month, m) => {
        const dense = byMonth.get(month)!;
        // Each month's dense array is let go as soon as it is copied: the grid is built in its place.
        byMonth.delete(month);
        for (let u = 0; u < unitCount; u++) {
          start[m * unitCount + u] = k;
          for (let s = 0; s < SLOTS; s++) {
            const r = dense[u * SLOTS + s]!;
            if (r <= 0) continue;
            slot[k] = s;
            respondents[k++] = r;
          }
        }
      });
      start[months.length * unitCount] = k;
      byMonth.clear();
      return { unitIds: [...unitIndex.keys()], months, start, slot, respondents, length };
    },
  };
}

export function atomGrid(atoms: Iterable<Atom>): AtomGrid {
  const builder = atomGridBuilder();
  for (const atom of atoms) builder.add(atom);
  return builder.build();
}

const gridOf = (atoms: DisclosureInput['atoms']): AtomGrid => (Array.isArray(atoms) ? atomGrid(atoms as readonly Atom[]) : (atoms as AtomGrid));

/** The months (first days) before `now`'s month with any respondent: the months closed cells are made of. */
const closedMonths = (atoms: AtomGrid, now: Date) => atoms.months.filter((month) => month < monthStart(now));

/**
 * What can be asked of a tenant, as integers: its subtrees (the tenant is 0) under every tree
 * version and its candidate periods, with the keys the walk orders them by.
 */
interface Lattice {
  subtreeCount: number;
  /** The unit indexes of subtree s (indexes into the grid's unitIds): subtreeUnits[subtreeStart[s] .. subtreeStart[s + 1]). */
  subtreeStart: Int32Array;
  subtreeUnits: Int32Array;
  /** When a tree version first had it (ms); 0 for the tenant. */
  firstSeen: Float64Array;
  /** Its rank by its units, sorted and joined: the order never depends on how rows arrive. */
  keyRank: Int32Array;
  /** Today's subtree of each unit, for `decide`. */
  currentSubtree: Map<string, number>;
  periodIndex: Map<string, number>;
  /** The grid's month indexes of period p. */
  periodMonths: Int32Array[];
  closes: Float64Array;
  kindRank: Uint8Array;
  fromRank: Int32Array;
}

function latticeOf(input: DisclosureInput, atoms: AtomGrid): Lattice {
  const { subtrees: known, current: currentSubtree } = subtreeHistory(input);
  const keys = [...known.keys()];
  const subtreeCount = keys.length;
  const keyRank = new Int32Array(subtreeCount);
  Int32Array.from(keys.keys())
    .sort((a, b) => compare(keys[a]!, keys[b]!))
    .forEach((s, rank) => (keyRank[s] = rank));
  const firstSeen = Float64Array.from(known.values(), (subtree) => subtree.firstSeen);
  const unitIndex = new Map(atoms.unitIds.map((id, u) => [id, u]));
  const subtreeStart = new Int32Array(subtreeCount + 1);
  let s = 0;
  for (const { units } of known.values()) {
    s++;
    subtreeStart[s] = subtreeStart[s - 1]!;
    for (const unit of units) if (unitIndex.has(unit)) subtreeStart[s]!++;
  }
  const subtreeUnits = new Int32Array(subtreeStart[subtreeCount]!);
  let k = 0;
  for (const { units } of known.values()) for (const unit of units) if (unitIndex.has(unit)) subtreeUnits[k++] = unitIndex.get(unit)!;

  const monthIndex = new Map(atoms.months.map((month, m) => [month, m]));
  const periods = candidatePeriods(closedMonths(atoms, input.now), input.now);
  const froms = [...new Set(periods.map((period) => period.from))].sort(compare);
  return {
    subtreeCount,
    subtreeStart,
    subtreeUnits,
    firstSeen,
    keyRank,
    currentSubtree,
    periodIndex: new Map(periods.map((period, p) => [periodKey(period), p])),
    periodMonths: periods.map((period) => Int32Array.from(monthsOf(period).flatMap((month) => monthIndex.get(month) ?? []))),
    closes: Float64Array.from(periods, (period) => parseDay(period.to).getTime()),
    kindRank: Uint8Array.from(periods, (period) => RANK[period.kind]),
    fromRank: Int32Array.from(periods, (period) => froms.indexOf(period.from)),
  };
}

/**
 * Decides every candidate cell of one tenant; `decide` then answers any cell a route asks about.
 *
 * Sized for a Worker's 128 MB (20,000 units × 37 months: 2.2 million atoms, 10.3 million cells): an
 * atom is an index into the grid, a cell is a number, (period × subtrees + subtree) × 6 + split,
 * never an object, and its decision 2 bits of a Uint8Array. The walk's first key is when a cell
 * became possible, so the cells of one such time are gathered, counted, sorted by the other keys (as
 * integers: subtree keys are ranked once) and walked before the next time's: only one time's
 * respondents and order are in memory. Cells of 1 to minimum − 1 respondents are withheld wherever
 * they sort (every class they touch would hold fewer than `minimum`) and empty cells are published
 * (they touch no class); neither changes the partition, so only the others are sorted and walked.
 * tests/unit/disclosure-reference.test.ts holds it to the planner it replaced, decision for decision.
 */
export function planDisclosure(input: DisclosureInput): Disclosure {
  const atoms = gridOf(input.atoms);
  const lattice = latticeOf(input, atoms);
  const decisions = walk(atoms, lattice, input.minimum ?? MIN_GROUP_RESPONDENTS);
  // Only what `decide` needs is kept: the walk's partition is garbage once it returns.
  const { periodIndex, currentSubtree, subtreeCount } = lattice;
  const now = input.now;
  // The last period asked about, and its index (-1: open): storePlan asks about every cell of one period in a row
  // (a period object is a value: nothing changes one once made).
  let asked: DisclosurePeriod | undefined;
  let askedIndex: number | undefined;
  return {
    walked: periodIndex.size * subtreeCount * SPLITS.length,
    decide({ period, unitId, split }) {
      if (period !== asked) [asked, askedIndex] = [period, isClosed(period, now) ? periodIndex.get(periodKey(period)) : -1];
      if (askedIndex === -1) return PERIOD_OPEN;
      const s = unitId === null ? 0 : currentSubtree.get(unitId);
      if (s === undefined) throw new Error(`unit ${unitId} is not in the tree`);
      // A period that is not a candidate holds no closed atom: empty, nothing to hide.
      if (askedIndex === undefined) return PUBLISHED;
      return DECISIONS[decisionOf(decisions, (askedIndex * subtreeCount + s) * SPLITS.length + splitRank(split))]!;
    },
  };
}

// Shared, frozen answers: storePlan asks about millions of cells.
const PUBLISHED: Decision = Object.freeze({ published: true });
const PERIOD_OPEN: Decision = Object.freeze({ published: false, reason: 'period-open' });
/**
 * A decision: 0 published, else 1 + the index of its reason in WITHHELD_REASONS; a walk decides
 * only published, too few and complementary, so a cell takes 2 bits, four to a byte.
 */
const decisionOf = (decisions: Uint8Array, cell: number) => (decisions[cell >> 2]! >> ((cell & 3) << 1)) & 3;
/** Each cell is decided once, so its bits are still 0. */
const decide = (decisions: Uint8Array, cell: number, decision: number) => (decisions[cell >> 2]! |= decision << ((cell & 3) << 1));
const DECISIONS: readonly Decision[] = [PUBLISHED, ...WITHHELD_REASONS.map((reason) => Object.freeze({ published: false as const, reason }))];

/** The walk (see the header): every cell's decision, 2 bits each. */
function walk(atoms: AtomGrid, lattice: Lattice, minimum: number): Uint8Array {
  const { subtreeCount, subtreeStart, subtreeUnits, firstSeen, keyRank, periodMonths, closes, kindRank, fromRank } = lattice;
  const unitCount = atoms.unitIds.length;
  const { start, slot, respondents: atomRespondents } = atoms;
  const periodCount = periodMonths.length;
  /** Calls `visit` with every atom of period p and subtree s. */
  const eachAtom = (p: number, s: number, visit: (atom: number) => void) => {
    for (const m of periodMonths[p]!) {
      const row = m * unitCount;
      if (s === 0) for (let k = start[row]!; k < start[row + unitCount]!; k++) visit(k);
      else
        for (let j = subtreeStart[s]!; j < subtreeStart[s + 1]!; j++) {
          const u = subtreeUnits[j]!;
          for (let k = start[row + u]!; k < start[row + u + 1]!; k++) visit(k);
        }
    }
  };
  // The partition: each atom's class, each class's respondents, and whether its signature is
  // non-zero. Only atoms of closed months (a prefix of the grid) are in a cell; there are never
  // more classes than those atoms (plus the first), so arrays of that size do.
  const closedMonthCount = Math.max(0, ...periodMonths.map((months) => months.length && months[months.length - 1]! + 1));
  const atomCount = start[closedMonthCount * unitCount]!;
  let total = 0;
  for (let i = 0; i < atomCount; i++) total += atomRespondents[i]!;
  // Counts of respondents are exact as 32-bit integers up to 2^31 − 1 in all: half the memory of doubles.
  const Counts = total < 2 ** 31 ? Int32Array : Float64Array;
  const classOf = new Int32Array(atomCount);
  const classSize = new Counts(atomCount + 1);
  const signed = new Uint8Array(atomCount + 1);
  let classes = 1;
  classSize[0] = total;
  // Per class touched by the cell being walked: first its respondents inside the cell, then the
  // class its atoms move to (0: none); zero again after each cell.
  const scratch = new Counts(atomCount + 1);
  // The classes one cell touches: grown as needed, so as large as the most classes one cell touches.
  let touched = new Int32Array(1024);
  let touchedCount = 0;
  let holds = 0; // the cell's split × SLOTS: SPLIT_HOLDS[holds + slot] says whether an atom is in it
  const addMember = (i: number) => {
    if (!SPLIT_HOLDS[holds + slot[i]!]) return;
    const id = classOf[i]!;
    if (scratch[id] === 0) {
      if (touchedCount === touched.length) {
        const grown = new Int32Array(touched.length * 2);
        grown.set(touched);
        touched = grown;
      }
      touched[touchedCount++] = id;
    }
    scratch[id]! += atomRespondents[i]!;
  };
  const moveMember = (i: number) => {
    if (!SPLIT_HOLDS[holds + slot[i]!]) return;
    const moved = scratch[classOf[i]!]!;
    if (moved > 0) classOf[i] = moved;
  };
  const decisions = new Uint8Array(Math.ceil((periodCount * subtreeCount * SPLITS.length) / 4));
  const tooFew = 1 + WITHHELD_REASONS.indexOf('too-few-respondents');
  const complementary = 1 + WITHHELD_REASONS.indexOf('complementary');

  /** Decides one cell of at least `minimum` respondents, and refines the partition if it is published. */
  const walkCell = (cell: number) => {
    const split = cell % SPLITS.length;
    const ps = (cell - split) / SPLITS.length;
    const p = (ps / subtreeCount) | 0;
    const s = ps % subtreeCount;
    touchedCount = 0;
    holds = split * SLOTS;
    eachAtom(p, s, addMember);
    let safe = true;
    for (let t = 0; t < touchedCount && safe; t++) {
      const id = touched[t]!;
      const n = scratch[id]!;
      const outside = classSize[id]! - n;
      safe = n >= minimum && (!signed[id] || outside === 0 || outside >= minimum);
    }
    // Its respondents are at least `minimum`, so a withheld cell is withheld for what it would reveal.
    if (!safe) decide(decisions, cell, complementary);
    else {
      for (let t = 0; t < touchedCount; t++) {
        const id = touched[t]!;
        if (scratch[id] === classSize[id]) {
          signed[id] = 1;
          scratch[id] = 0;
        } else {
          classSize[id]! -= scratch[id]!;
          classSize[classes] = scratch[id]!;
          signed[classes] = 1;
          scratch[id] = classes++;
        }
      }
      // The cell's atoms again (no list of them is kept): those of a split class move to its new part.
      eachAtom(p, s, moveMember);
    }
    for (let t = 0; t < touchedCount; t++) scratch[touched[t]!] = 0;
  };

  // The walk's first key is when a cell became possible, max(its period's end, its subtree's first
  // version): the cells of one such time are gathered, sorted by the other keys and walked before
  // the next time's, so only one time's respondents and order are ever in memory.
  const byCloses = Int32Array.from({ length: periodCount }, (_, p) => p).sort((a, b) => closes[a]! - closes[b]!);
  const bySeen = Int32Array.from({ length: subtreeCount }, (_, s) => s).sort((a, b) => firstSeen[a]! - firstSeen[b]!);
  const times = [...new Set([...closes, ...firstSeen])].sort((a, b) => a - b);
  let closedBefore = 0; // byCloses[0 .. closedBefore) end before the current time
  let seenBefore = 0; // bySeen[0 .. seenBefore) were first seen before it
  // Buffers for one time's cells, grown to the largest time's: each time would otherwise leave its own as garbage.
  let pairBuffer = new Int32Array(0);
  let respondentBuffer = new Counts(0);
  let orderBuffer = new Int32Array(0);
  for (const time of times) {
    let closing = closedBefore;
    while (closing < byCloses.length && closes[byCloses[closing]!] === time) closing++;
    let seen = seenBefore;
    while (seen < bySeen.length && firstSeen[bySeen[seen]!] === time) seen++;
    // (periods ending now × subtrees seen by now) and (periods ended before × subtrees first seen now): each (period × subtrees + subtree).
    const pairCount = (closing - closedBefore) * seen + closedBefore * (seen - seenBefore);
    if (pairCount > pairBuffer.length) {
      pairBuffer = new Int32Array(pairCount);
      respondentBuffer = new Counts(pairCount * SPLITS.length);
    }
    const pairs = pairBuffer.subarray(0, pairCount);
    let n = 0;
    for (let i = closedBefore; i < closing; i++) for (let j = 0; j < seen; j++) pairs[n++] = byCloses[i]! * subtreeCount + bySeen[j]!;
    for (let i = 0; i < closedBefore; i++) for (let j = seenBefore; j < seen; j++) pairs[n++] = byCloses[i]! * subtreeCount + bySeen[j]!;
    [closedBefore, seenBefore] = [closing, seen];
    // Their respondents, whole and per split in the order of SPLITS, at pair × 6 + split.
    const respondents = respondentBuffer.subarray(0, pairCount * SPLITS.length).fill(0);
    let cell0 = 0;
    const addRespondents = (i: number) => {
      const r = atomRespondents[i]!;
      const s = slot[i]!;
      respondents[cell0]! += r;
      respondents[cell0 + 1 + ((s / ROLE_VALUES.length) | 0)]! += r;
      respondents[cell0 + 1 + TENURE_BAND_VALUES.length + (s % ROLE_VALUES.length)]! += r;
    };
    let walkable = 0;
    for (let j = 0; j < pairs.length; j++) {
      cell0 = j * SPLITS.length;
      eachAtom((pairs[j]! / subtreeCount) | 0, pairs[j]! % subtreeCount, addRespondents);
      for (let k = cell0; k < cell0 + SPLITS.length; k++) {
        if (respondents[k]! >= minimum) walkable++;
        else if (respondents[k]! > 0) decide(decisions, pairs[j]! * SPLITS.length + k - cell0, tooFew);
      }
    }
    // The other keys (see the header): whole before splits, coarse before fine, more respondents first, then ids.
    // Only the walkable cells are ordered: most of a large tenant's cells hold fewer than `minimum`.
    if (walkable > orderBuffer.length) orderBuffer = new Int32Array(walkable);
    const order = orderBuffer.subarray(0, walkable);
    for (let k = 0, w = 0; k < respondents.length; k++) if (respondents[k]! >= minimum) order[w++] = k;
    order.sort((a, b) => {
      const pa = (pairs[(a / SPLITS.length) | 0]! / subtreeCount) | 0;
      const pb = (pairs[(b / SPLITS.length) | 0]! / subtreeCount) | 0;
      return (
        (a % SPLITS.length) - (b % SPLITS.length) ||
        kindRank[pa]! - kindRank[pb]! ||
        respondents[b]! - respondents[a]! ||
        fromRank[pa]! - fromRank[pb]! ||
        keyRank[pairs[(a / SPLITS.length) | 0]! % subtreeCount]! - keyRank[pairs[(b / SPLITS.length) | 0]! % subtreeCount]!
      );
    });
    for (const k of order) walkCell(pairs[(k / SPLITS.length) | 0]! * SPLITS.length + (k % SPLITS.length));
  }
  return decisions;
}

const splitRank = (split: Split | undefined) =>
  split === undefined ? 0 : split.dimension === 'tenureBand' ? 1 + TENURE_BAND_VALUES.indexOf(split.value) : 1 + TENURE_BAND_VALUES.length + ROLE_VALUES.indexOf(split.value);

/**
 * A plan's decisions about today's tree, as kept between requests: `units` are today's unit ids
 * (index 1 on; 0 is the whole tenant), and each candidate period with any cell withheld maps to one
 * letter per (unit index, split), splits in the order of SPLITS: `p` published, `f` too few
 * respondents, `c` complementary. Cells of other periods are published. storePlan writes its JSON
 * a period at a time and lettersOf reads it in place.
 */
interface PlanLetters {
  units: string[];
  periods: Record<string, string>;
}

/**
 * What is stored: the letters' JSON, deflated and in base64. At 12,000 units and 13 months the
 * letters take 2.6 MB (72,006 per period, and the ids), over the 1 MiB a database request may
 * carry; deflated they are a small fraction, since a period's letters repeat a few patterns.
 */
export interface StoredPlan {
  deflated: string;
}

const LETTER = { 'too-few-respondents': 'f', complementary: 'c' } as const;
/** Decisions by a letter's character code. */
const FROM_LETTER: Record<number, Decision> = {
  [LETTER['too-few-respondents'].charCodeAt(0)]: DECISIONS[1 + WITHHELD_REASONS.indexOf('too-few-respondents')]!,
  [LETTER.complementary.charCodeAt(0)]: DECISIONS[1 + WITHHELD_REASONS.indexOf('complementary')]!,
};

/**
 * What to keep of `plan` (planned from `input`): every decision it would give about today's tree.
 * The JSON is deflated as it is written, a period's letters at a time: at 20,000 units and 37
 * months the letters are 11.8 MB, and as one string, its JSON and its bytes, three times that.
 */
export async function storePlan(plan: Disclosure, input: DisclosureInput): Promise<StoredPlan> {
  const units = input.units.map((unit) => unit.id).sort(compare);
  const letters = new Uint8Array((units.length + 1) * SPLITS.length);
  const stream = new CompressionStream('deflate-raw');
  const deflated = new Response(stream.readable).arrayBuffer();
  const writer = stream.writable.getWriter();
  const encoder = new TextEncoder();
  await writer.write(encoder.encode(`{"units":${JSON.stringify(units)},"periods":{`));
  let separator = '';
  for (const period of candidatePeriods(closedMonths(gridOf(input.atoms), input.now), input.now)) {
    let withheld = false;
    const queries: CellQuery[] = SPLITS.map((split) => ({ period, unitId: null, ...(split && { split }) }));
    for (let u = 0; u <= units.length; u++) {
      for (let k = 0; k < SPLITS.length; k++) {
        const query = queries[k]!;
        query.unitId = u === 0 ? null : units[u - 1]!;
        const decision = plan.decide(query);
        const letter = decision.published ? 'p' : LETTER[decision.reason as keyof typeof LETTER];
        withheld ||= letter !== 'p';
        letters[u * SPLITS.length + k] = letter.charCodeAt(0);
      }
    }
    if (!withheld) continue;
    // Letters are p, f and c: no escaping. A copy, since `letters` is written again for the next period.
    await writer.write(encoder.encode(`${separator}${JSON.stringify(periodKey(period))}:"`));
    await writer.write(letters.slice());
    await writer.write(encoder.encode('"'));
    separator = ',';
  }
  await writer.write(encoder.encode('}}'));
  await writer.close();
  return { deflated: toBase64(new Uint8Array(await deflated)) };
}

/** The decisions of a stored plan, as `planDisclosure` gave them when it was stored. */
export async function storedDisclosure(stored: StoredPlan, now: Date): Promise<Disclosure> {
  const json = await transformed(fromBase64(stored.deflated), new DecompressionStream('deflate-raw'));
  const { units, periods } = lettersOf(json);
  const index = new Map(units.map((id, i) => [id, i + 1]));
  return {
    walked: 0,
    decide({ period, unitId, split }) {
      if (!isClosed(period, now)) return PERIOD_OPEN;
      const unit = unitId === null ? 0 : index.get(unitId);
      if (unit === undefined) throw new Error(`unit ${unitId} is not in the stored tree`);
      const letters = periods.get(periodKey(period));
      if (letters === undefined) return PUBLISHED;
      return FROM_LETTER[json[letters + unit * SPLITS.length + splitRank(split)]!] ?? PUBLISHED;
    },
  };
}

/**
 * A stored plan's JSON (PlanLetters, as JSON.stringify and storePlan write it) read in place: the
 * units parsed, and where each period's letters begin in `json`. The letters stay bytes of the
 * inflated JSON: as strings, with the text they were parsed from, they took three times their
 * 11 MB at 20,000 units × 37 months, on every read of a planned tenant.
 */
function lettersOf(json: Uint8Array): { units: string[]; periods: Map<string, number> } {
  const [QUOTE, BACKSLASH, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, COMMA] = [0x22, 0x5c, 0x5b, 0x5d, 0x7b, 0x2c];
  const text = (from: number, to: number) => new TextDecoder().decode(json.subarray(from, to));
  // `{"units":[…],"periods":{"<period key>":"<letters>",…}}`; ids are JSON strings, which may hold escapes.
  const unitsFrom = json.indexOf(OPEN_ARRAY);
  let k = unitsFrom + 1;
  for (let inString = false; inString || json[k] !== CLOSE_ARRAY; k++) {
    if (inString && json[k] === BACKSLASH) k++;
    else if (json[k] === QUOTE) inString = !inString;
  }
  const units = JSON.parse(text(unitsFrom, k + 1)) as PlanLetters['units'];
  const periods = new Map<string, number>();
  // Period keys (`month:2026-01-01`) and letters (p, f, c) hold no quote or escape.
  for (k = json.indexOf(OPEN_OBJECT, k) + 1; json[k] === QUOTE; k++) {
    const keyEnd = json.indexOf(QUOTE, k + 1);
    const letters = keyEnd + 3; // past `":"`
    periods.set(text(k + 1, keyEnd), letters);
    k = json.indexOf(QUOTE, letters) + 1;
    if (json[k] !== COMMA) break;
  }
  return { units, periods };
}

/** `bytes` through a compression or decompression stream. */
async function transformed(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  void writer.write(bytes);
  void writer.close();
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its argument list on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The published period that [from, to) is, exactly: a calendar month, a quarter, or 12 whole
 * months; undefined for any other window (a route refuses it rather than guess).
 */
export function wholePeriod(from: string, to: string): DisclosurePeriod | undefined {
  const start = parseDay(from);
  if (from !== monthStart(start)) return undefined;
  if (to === monthStart(start, 1)) return { kind: 'month', from, to };
  if (to === monthStart(start, 3) && start.getUTCMonth() % 3 === 0) return { kind: 'quarter', from, to };
  if (to === monthStart(start, 12)) return { kind: 'rolling12', from, to };
  return undefined;
}
