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
  atoms: readonly Atom[] | AtomColumns;
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

/** Parent maps of every tree version, oldest first, with the time each began. */
function treeVersions(input: DisclosureInput): { validFrom: number; parents: Map<string, string | null> }[] {
  const withHistory = new Set(input.history.map((entry) => entry.unitId));
  const base = new Map(input.units.filter((unit) => !withHistory.has(unit.id)).map((unit) => [unit.id, unit.parentId] as const));
  const entries = [...input.history].sort((a, b) => a.validFrom - b.validFrom);
  const versions: { validFrom: number; parents: Map<string, string | null> }[] = [{ validFrom: 0, parents: new Map(base) }];
  for (const entry of entries) {
    const last = versions.at(-1)!;
    if (last.validFrom !== entry.validFrom) versions.push({ validFrom: entry.validFrom, parents: new Map(last.parents) });
    versions.at(-1)!.parents.set(entry.unitId, entry.parentId);
  }
  return versions;
}

/** Each unit's subtree (itself and every unit below it) under one parent map. */
function subtrees(parents: ReadonlyMap<string, string | null>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [id, parentId] of parents) {
    if (parentId === null || !parents.has(parentId)) continue;
    const siblings = children.get(parentId);
    if (siblings) siblings.push(id);
    else children.set(parentId, [id]);
  }
  const result = new Map<string, string[]>();
  for (const id of parents.keys()) {
    const inside = [id];
    // Guarded: a cycle cannot be stored, but a set keeps a bad row from looping here.
    const seen = new Set(inside);
    for (let i = 0; i < inside.length; i++) for (const child of children.get(inside[i]!) ?? []) if (!seen.has(child)) seen.add(child), inside.push(child);
    result.set(id, inside.sort());
  }
  return result;
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

interface Subtree {
  /** Its units, sorted and joined: what orders it, so the order never depends on how rows arrive. */
  key: string;
  /** Short name for this walk's bookkeeping. */
  id: number;
  units: readonly string[] | null;
  /** When a tree version first had it (ms); 0 for the tenant. */
  firstSeen: number;
}

/**
 * Atoms as columns, each atom an index: how a tenant's hundreds of thousands of atoms fit in a
 * Worker's 128 MB (18 bytes each; as objects, 86 even with shared strings).
 */
export interface AtomColumns {
  /** The distinct unit ids and months (first days) that `unit` and `month` index. */
  unitIds: readonly string[];
  months: readonly string[];
  unit: Int32Array;
  month: Int32Array;
  /** Indexes into TENURE_BAND_VALUES and ROLE_VALUES. */
  band: Uint8Array;
  role: Uint8Array;
  respondents: Float64Array;
  length: number;
}

/** Collects atoms into columns, one page at a time: nothing per atom outlives `add`. */
export function atomColumnsBuilder() {
  const unitIndex = new Map<string, number>();
  const monthIndex = new Map<string, number>();
  let capacity = 1024;
  let length = 0;
  let unit = new Int32Array(capacity);
  let month = new Int32Array(capacity);
  let band = new Uint8Array(capacity);
  let role = new Uint8Array(capacity);
  let respondents = new Float64Array(capacity);
  const grown = <T extends Int32Array | Uint8Array | Float64Array>(array: T, size: number): T => {
    const next = new (array.constructor as new (size: number) => T)(size);
    next.set(array);
    return next;
  };
  return {
    add(atom: Atom): void {
      if (length === capacity) {
        capacity *= 2;
        [unit, month, band, role, respondents] = [grown(unit, capacity), grown(month, capacity), grown(band, capacity), grown(role, capacity), grown(respondents, capacity)];
      }
      let u = unitIndex.get(atom.unitId);
      if (u === undefined) unitIndex.set(atom.unitId, (u = unitIndex.size));
      let m = monthIndex.get(atom.month);
      if (m === undefined) monthIndex.set(atom.month, (m = monthIndex.size));
      unit[length] = u;
      month[length] = m;
      band[length] = TENURE_BAND_VALUES.indexOf(atom.tenureBand);
      role[length] = ROLE_VALUES.indexOf(atom.role);
      respondents[length] = atom.respondents;
      length++;
    },
    // Copies, not views: the arrays' growth room (up to half) is freed before planning needs memory.
    build(): AtomColumns {
      return {
        unitIds: [...unitIndex.keys()],
        months: [...monthIndex.keys()],
        unit: unit.slice(0, length),
        month: month.slice(0, length),
        band: band.slice(0, length),
        role: role.slice(0, length),
        respondents: respondents.slice(0, length),
        length,
      };
    },
  };
}

export function atomColumns(atoms: Iterable<Atom>): AtomColumns {
  const builder = atomColumnsBuilder();
  for (const atom of atoms) builder.add(atom);
  return builder.build();
}

const columnsOf = (atoms: DisclosureInput['atoms']): AtomColumns => (Array.isArray(atoms) ? atomColumns(atoms as readonly Atom[]) : (atoms as AtomColumns));

/** The months (first days) before `now`'s month with any respondent: the months closed cells are made of. */
function closedMonths(atoms: AtomColumns, now: Date): string[] {
  const currentMonth = monthStart(now);
  const has = new Uint8Array(atoms.months.length);
  for (let i = 0; i < atoms.length; i++) if (atoms.respondents[i]! > 0) has[atoms.month[i]!] = 1;
  return atoms.months.filter((month, m) => has[m] && month < currentMonth).sort(compare);
}

/**
 * Decides every candidate cell of one tenant; `decide` then answers any cell a route asks about.
 *
 * Sized for a Worker's 128 MB (12,000 units × 13 months: 2.2 million cells): a cell is a number,
 * (period × subtrees + subtree) × 6 + split, never an object, and its decision one byte of a
 * Uint8Array. The walk's first key is when a cell became possible, so the cells of one such time
 * are gathered, counted, sorted by the other keys (as integers: subtree keys are ranked once) and
 * walked before the next time's: only one time's respondents and order are in memory. Atoms are
 * reached through one index sorted by (month, unit). Cells of 1 to minimum − 1 respondents are
 * withheld wherever they sort (every class they touch would hold fewer than `minimum`) and empty
 * cells are published (they touch no class); neither changes the partition, so only the others
 * are sorted and walked. tests/unit/disclosure-reference.test.ts holds it to the planner it
 * replaced, decision for decision.
 */
export function planDisclosure(input: DisclosureInput): Disclosure {
  const minimum = input.minimum ?? MIN_GROUP_RESPONDENTS;
  const atoms = columnsOf(input.atoms);
  const currentMonth = monthStart(input.now);
  const unitCount = atoms.unitIds.length;
  const monthCount = atoms.months.length;
  // Atoms of open months are in no published cell; neither is an atom without respondents.
  const openMonth = Uint8Array.from(atoms.months, (month) => (month < currentMonth ? 0 : 1));
  const kept = (i: number) => atoms.respondents[i]! > 0 && !openMonth[atoms.month[i]!];
  // The kept atoms ordered by (month, unit): those of month m and unit u are byMonthUnit[start[m·U+u] .. start[m·U+u+1]).
  const start = new Int32Array(monthCount * unitCount + 1);
  for (let i = 0; i < atoms.length; i++) if (kept(i)) start[atoms.month[i]! * unitCount + atoms.unit[i]! + 1]!++;
  for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
  const byMonthUnit = new Int32Array(start[start.length - 1]!);
  const fill = start.slice(0, -1);
  for (let i = 0; i < atoms.length; i++) if (kept(i)) byMonthUnit[fill[atoms.month[i]! * unitCount + atoms.unit[i]!]!++] = i;

  const versions = treeVersions(input);
  const known = new Map<string, Subtree>([['tenant', { key: 'tenant', id: 0, units: null, firstSeen: 0 }]]);
  for (const version of versions) {
    for (const units of subtrees(version.parents).values()) {
      const key = units.join(',');
      if (!known.has(key)) known.set(key, { key, id: known.size, units, firstSeen: version.validFrom });
    }
  }
  const subtreeList = [...known.values()];
  const subtreeCount = subtreeList.length;
  // Subtrees ranked by key once, so the walk's order compares integers.
  const keyRank = new Int32Array(subtreeCount);
  [...subtreeList].sort((a, b) => compare(a.key, b.key)).forEach((subtree, rank) => (keyRank[subtree.id] = rank));
  const firstSeen = Float64Array.from(subtreeList, (subtree) => subtree.firstSeen);
  const unitIndex = new Map(atoms.unitIds.map((id, u) => [id, u]));
  const unitsWithData = subtreeList.map((subtree) => (subtree.units === null ? null : Int32Array.from(subtree.units.flatMap((unit) => unitIndex.get(unit) ?? []))));
  // Today's subtree of each unit, for `decide`.
  const currentSubtree = new Map([...subtrees(versions.at(-1)!.parents)].map(([unitId, units]) => [unitId, known.get(units.join(','))!.id]));

  const monthIndex = new Map(atoms.months.map((month, m) => [month, m]));
  const periods = candidatePeriods(closedMonths(atoms, input.now), input.now);
  const periodIndex = new Map(periods.map((period, p) => [periodKey(period), p]));
  const periodMonths = periods.map((period) => Int32Array.from(monthsOf(period).flatMap((month) => monthIndex.get(month) ?? [])));
  const closes = Float64Array.from(periods, (period) => parseDay(period.to).getTime());
  const kindRank = Uint8Array.from(periods, (period) => RANK[period.kind]);
  const froms = [...new Set(periods.map((period) => period.from))].sort(compare);
  const fromRank = Int32Array.from(periods, (period) => froms.indexOf(period.from));

  const cellCount = periods.length * subtreeCount * SPLITS.length;
  /** Calls `visit` with every kept atom of period p and subtree s. */
  const eachAtom = (p: number, s: number, visit: (atom: number) => void) => {
    const units = unitsWithData[s]!;
    for (const m of periodMonths[p]!) {
      const row = m * unitCount;
      if (units === null) for (let k = start[row]!; k < start[row + unitCount]!; k++) visit(byMonthUnit[k]!);
      else for (const u of units) for (let k = start[row + u]!; k < start[row + u + 1]!; k++) visit(byMonthUnit[k]!);
    }
  };
  // The partition: each atom's class, each class's respondents, and whether its signature is
  // non-zero. There are never more classes than atoms (plus the first), so arrays of that size do.
  let total = 0;
  for (let i = 0; i < atoms.length; i++) if (kept(i)) total += atoms.respondents[i]!;
  // Counts of respondents are exact as 32-bit integers up to 2^31 − 1 in all: half the memory of doubles.
  const Counts = total < 2 ** 31 ? Int32Array : Float64Array;
  const classOf = new Int32Array(atoms.length);
  const classSize = new Counts(atoms.length + 1);
  const signed = new Uint8Array(atoms.length + 1);
  let classes = 1;
  classSize[0] = total;
  const inside = new Counts(atoms.length + 1);
  const movedTo = new Int32Array(atoms.length + 1);
  // One cell's atoms and the classes they touch, written into buffers as large as the largest period's atoms: the walk allocates nothing per cell.
  const largest = Math.max(0, ...periodMonths.map((months) => months.reduce((sum, m) => sum + start[(m + 1) * unitCount]! - start[m * unitCount]!, 0)));
  const members = new Int32Array(largest);
  const touched = new Int32Array(largest);
  let count = 0;
  let touchedCount = 0;
  let wanted = -1;
  let codes = atoms.band;
  const addMember = (i: number) => {
    if (wanted >= 0 && codes[i] !== wanted) return;
    members[count++] = i;
    const id = classOf[i]!;
    if (inside[id] === 0) touched[touchedCount++] = id;
    inside[id]! += atoms.respondents[i]!;
  };
  // 0 published, else 1 + the index of its reason in WITHHELD_REASONS.
  const decisions = new Uint8Array(cellCount);
  const tooFew = 1 + WITHHELD_REASONS.indexOf('too-few-respondents');
  const complementary = 1 + WITHHELD_REASONS.indexOf('complementary');

  /** Decides one cell of at least `minimum` respondents, and refines the partition if it is published. */
  const walkCell = (cell: number) => {
    const split = cell % SPLITS.length;
    const ps = (cell - split) / SPLITS.length;
    count = 0;
    touchedCount = 0;
    codes = split <= TENURE_BAND_VALUES.length ? atoms.band : atoms.role;
    wanted = split === 0 ? -1 : split <= TENURE_BAND_VALUES.length ? split - 1 : split - 1 - TENURE_BAND_VALUES.length;
    eachAtom((ps / subtreeCount) | 0, ps % subtreeCount, addMember);
    let safe = true;
    for (let t = 0; t < touchedCount && safe; t++) {
      const id = touched[t]!;
      const n = inside[id]!;
      const outside = classSize[id]! - n;
      safe = n >= minimum && (!signed[id] || outside === 0 || outside >= minimum);
    }
    // Its respondents are at least `minimum`, so a withheld cell is withheld for what it would reveal.
    if (!safe) decisions[cell] = complementary;
    else {
      for (let t = 0; t < touchedCount; t++) {
        const id = touched[t]!;
        movedTo[id] = -1;
        if (inside[id] === classSize[id]) signed[id] = 1;
        else {
          movedTo[id] = classes;
          classSize[id]! -= inside[id]!;
          classSize[classes] = inside[id]!;
          signed[classes] = 1;
          classes++;
        }
      }
      for (let k = 0; k < count; k++) {
        const moved = movedTo[classOf[members[k]!]!]!;
        if (moved > 0) classOf[members[k]!] = moved;
      }
    }
    for (let t = 0; t < touchedCount; t++) inside[touched[t]!] = 0;
  };

  // The walk's first key is when a cell became possible, max(its period's end, its subtree's first
  // version): the cells of one such time are gathered, sorted by the other keys and walked before
  // the next time's, so only one time's respondents and order are ever in memory.
  const byCloses = Int32Array.from(periods.keys()).sort((a, b) => closes[a]! - closes[b]!);
  const bySeen = Int32Array.from(subtreeList.keys()).sort((a, b) => firstSeen[a]! - firstSeen[b]!);
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
      const r = atoms.respondents[i]!;
      respondents[cell0]! += r;
      respondents[cell0 + 1 + atoms.band[i]!]! += r;
      respondents[cell0 + 1 + TENURE_BAND_VALUES.length + atoms.role[i]!]! += r;
    };
    let walkable = 0;
    for (let j = 0; j < pairs.length; j++) {
      cell0 = j * SPLITS.length;
      eachAtom((pairs[j]! / subtreeCount) | 0, pairs[j]! % subtreeCount, addRespondents);
      for (let k = cell0; k < cell0 + SPLITS.length; k++) {
        if (respondents[k]! >= minimum) walkable++;
        else if (respondents[k]! > 0) decisions[pairs[j]! * SPLITS.length + k - cell0] = tooFew;
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

  // The last period asked about, and its index (-1: open): storePlan asks about every cell of one period in a row
  // (a period object is a value: nothing changes one once made).
  let asked: DisclosurePeriod | undefined;
  let askedIndex: number | undefined;
  return {
    walked: cellCount,
    decide({ period, unitId, split }) {
      if (period !== asked) [asked, askedIndex] = [period, isClosed(period, input.now) ? periodIndex.get(periodKey(period)) : -1];
      if (askedIndex === -1) return { published: false, reason: 'period-open' };
      const s = unitId === null ? 0 : currentSubtree.get(unitId);
      if (s === undefined) throw new Error(`unit ${unitId} is not in the tree`);
      const p = askedIndex;
      // A period that is not a candidate holds no closed atom: empty, nothing to hide.
      if (p === undefined) return { published: true };
      const decision = decisions[(p * subtreeCount + s) * SPLITS.length + splitRank(split)]!;
      return decision === 0 ? { published: true } : { published: false, reason: WITHHELD_REASONS[decision - 1]! };
    },
  };
}

const splitRank = (split: Split | undefined) =>
  split === undefined ? 0 : split.dimension === 'tenureBand' ? 1 + TENURE_BAND_VALUES.indexOf(split.value) : 1 + TENURE_BAND_VALUES.length + ROLE_VALUES.indexOf(split.value);

/**
 * A plan's decisions about today's tree, as kept between requests: `units` are today's unit ids
 * (index 1 on; 0 is the whole tenant), and each candidate period with any cell withheld maps to one
 * letter per (unit index, split), splits in the order of SPLITS: `p` published, `f` too few
 * respondents, `c` complementary. Cells of other periods are published.
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
const FROM_LETTER: Record<string, Decision> = {
  f: { published: false, reason: 'too-few-respondents' },
  c: { published: false, reason: 'complementary' },
};

/** What to keep of `plan` (planned from `input`): every decision it would give about today's tree. */
export async function storePlan(plan: Disclosure, input: DisclosureInput): Promise<StoredPlan> {
  const units = input.units.map((unit) => unit.id).sort(compare);
  const periods: Record<string, string> = {};
  const letters = new Uint8Array((units.length + 1) * SPLITS.length);
  for (const period of candidatePeriods(closedMonths(columnsOf(input.atoms), input.now), input.now)) {
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
    if (withheld) periods[periodKey(period)] = new TextDecoder().decode(letters);
  }
  const json = new TextEncoder().encode(JSON.stringify({ units, periods } satisfies PlanLetters));
  return { deflated: toBase64(await transformed(json, new CompressionStream('deflate-raw'))) };
}

/** The decisions of a stored plan, as `planDisclosure` gave them when it was stored. */
export async function storedDisclosure(stored: StoredPlan, now: Date): Promise<Disclosure> {
  const json = await transformed(fromBase64(stored.deflated), new DecompressionStream('deflate-raw'));
  const letters = JSON.parse(new TextDecoder().decode(json)) as PlanLetters;
  const index = new Map(letters.units.map((id, i) => [id, i + 1]));
  return {
    walked: 0,
    decide({ period, unitId, split }) {
      if (!isClosed(period, now)) return { published: false, reason: 'period-open' };
      const unit = unitId === null ? 0 : index.get(unitId);
      if (unit === undefined) throw new Error(`unit ${unitId} is not in the stored tree`);
      const periodLetters = letters.periods[periodKey(period)];
      if (periodLetters === undefined) return { published: true };
      return FROM_LETTER[periodLetters[unit * SPLITS.length + splitRank(split)]!] ?? { published: true };
    },
  };
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
