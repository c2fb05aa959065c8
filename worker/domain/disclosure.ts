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
  atoms: readonly Atom[];
  /** The parent history of the tenant's units. */
  history: readonly ParentEntry[];
  /** Every unit today with its parent: units without history count as placed there since always. */
  units: readonly { id: string; parentId: string | null }[];
  now: Date;
  minimum?: number;
}

export interface Disclosure {
  decide(cell: CellQuery): Decision;
  /** Candidate cells walked; for measurements. */
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
  for (const [id, parentId] of parents) if (parentId !== null && parents.has(parentId)) children.set(parentId, [...(children.get(parentId) ?? []), id]);
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

/** Decides every candidate cell of one tenant; `decide` then answers any cell a route asks about. */
export function planDisclosure(input: DisclosureInput): Disclosure {
  const minimum = input.minimum ?? MIN_GROUP_RESPONDENTS;
  const currentMonth = monthStart(input.now);
  // Atoms of open months are in no published cell.
  const atoms = input.atoms.filter((atom) => atom.month < currentMonth && atom.respondents > 0);
  // Atoms by month, then by unit, as arrays of indexes: the walk below visits them many times.
  const monthIndex = new Map<string, number>();
  const unitIndex = new Map<string, number>();
  for (const atom of atoms) {
    if (!monthIndex.has(atom.month)) monthIndex.set(atom.month, monthIndex.size);
    if (!unitIndex.has(atom.unitId)) unitIndex.set(atom.unitId, unitIndex.size);
  }
  const byMonthUnit: number[][][] = [...monthIndex.keys()].map(() => [...unitIndex.keys()].map(() => []));
  const byMonth: number[][] = [...monthIndex.keys()].map(() => []);
  atoms.forEach((atom, index) => {
    const m = monthIndex.get(atom.month)!;
    byMonthUnit[m]![unitIndex.get(atom.unitId)!]!.push(index);
    byMonth[m]!.push(index);
  });

  const versions = treeVersions(input);
  const known = new Map<string, Subtree>([['tenant', { key: 'tenant', id: 0, units: null, firstSeen: 0 }]]);
  for (const version of versions) {
    for (const units of subtrees(version.parents).values()) {
      const key = units.join(',');
      if (!known.has(key)) known.set(key, { key, id: known.size, units, firstSeen: version.validFrom });
    }
  }
  const current = subtrees(versions.at(-1)!.parents);

  const periods = candidatePeriods([...monthIndex.keys()], input.now);
  const monthsWithData = new Map(periods.map((period) => [periodKey(period), monthsOf(period).flatMap((month) => monthIndex.get(month) ?? [])]));
  const unitsWithData = [...known.values()].map((subtree) => subtree.units?.flatMap((unit) => unitIndex.get(unit) ?? []) ?? null);
  // Each atom's tenure band and role as small numbers, so the split test is cheap.
  const bandOf = Uint8Array.from(atoms, (atom) => TENURE_BAND_VALUES.indexOf(atom.tenureBand));
  const roleOf = Uint8Array.from(atoms, (atom) => ROLE_VALUES.indexOf(atom.role));
  const listsOf = (period: DisclosurePeriod, subtree: Subtree): number[][] => {
    const units = unitsWithData[subtree.id]!;
    return monthsWithData.get(periodKey(period))!.flatMap((m) => (units === null ? [byMonth[m]!] : units.map((u) => byMonthUnit[m]![u]!)));
  };
  /** Respondents of a period and subtree, whole and per split, in the order of SPLITS. */
  const respondentsOf = (period: DisclosurePeriod, subtree: Subtree): Float64Array => {
    const totals = new Float64Array(SPLITS.length);
    for (const list of listsOf(period, subtree)) {
      for (const index of list) {
        const n = atoms[index]!.respondents;
        totals[0]! += n;
        totals[1 + bandOf[index]!]! += n;
        totals[1 + TENURE_BAND_VALUES.length + roleOf[index]!]! += n;
      }
    }
    return totals;
  };
  const cells = periods.flatMap((period) => {
    const closes = parseDay(period.to).getTime();
    return [...known.values()].flatMap((subtree) => {
      const respondents = respondentsOf(period, subtree);
      return SPLITS.map((split, splitRank) => ({ period, subtree, split, splitRank, respondents: respondents[splitRank]!, availableAt: Math.max(closes, subtree.firstSeen) }));
    });
  });
  cells.sort(
    (a, b) =>
      a.availableAt - b.availableAt ||
      a.splitRank - b.splitRank ||
      RANK[a.period.kind] - RANK[b.period.kind] ||
      b.respondents - a.respondents ||
      compare(a.period.from, b.period.from) ||
      compare(a.subtree.key, b.subtree.key),
  );

  // A cell's atoms, written into one buffer (each atom at most once per cell): the walk allocates nothing per cell.
  const members = new Int32Array(atoms.length);
  const membersOf = (period: DisclosurePeriod, subtree: Subtree, split: Split | undefined): number => {
    let count = 0;
    const codes = split?.dimension === 'tenureBand' ? bandOf : roleOf;
    const wanted = split === undefined ? -1 : split.dimension === 'tenureBand' ? TENURE_BAND_VALUES.indexOf(split.value) : ROLE_VALUES.indexOf(split.value);
    for (const list of listsOf(period, subtree)) for (const index of list) if (wanted < 0 || codes[index] === wanted) members[count++] = index;
    return count;
  };

  // The partition: each atom's class, each class's respondents, and whether its signature is
  // non-zero. There are never more classes than atoms (plus the first), so arrays of that size do.
  const classOf = new Int32Array(atoms.length);
  const classSize = new Float64Array(atoms.length + 1);
  const signed = new Uint8Array(atoms.length + 1);
  let classes = 1;
  classSize[0] = atoms.reduce((sum, atom) => sum + atom.respondents, 0);
  const inside = new Float64Array(atoms.length + 1);
  const movedTo = new Int32Array(atoms.length + 1);
  const decisions = new Map<string, Decision>();

  for (const cell of cells) {
    const count = membersOf(cell.period, cell.subtree, cell.split);
    const touched: number[] = [];
    let total = 0;
    for (let k = 0; k < count; k++) {
      const index = members[k]!;
      const id = classOf[index]!;
      if (inside[id] === 0) touched.push(id);
      inside[id]! += atoms[index]!.respondents;
      total += atoms[index]!.respondents;
    }
    const safe = touched.every((id) => {
      const n = inside[id]!;
      const outside = classSize[id]! - n;
      return n >= minimum && (!signed[id] || outside === 0 || outside >= minimum);
    });
    decisions.set(`${periodKey(cell.period)}|${cell.subtree.id}|${splitKey(cell.split)}`, safe ? { published: true } : { published: false, reason: total < minimum ? 'too-few-respondents' : 'complementary' });
    if (safe) {
      for (const id of touched) {
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
    for (const id of touched) inside[id] = 0;
  }

  return {
    walked: cells.length,
    decide({ period, unitId, split }) {
      if (!isClosed(period, input.now)) return { published: false, reason: 'period-open' };
      const units = unitId === null ? null : current.get(unitId);
      if (units === undefined) throw new Error(`unit ${unitId} is not in the tree`);
      const subtree = known.get(units === null ? 'tenant' : units.join(','))!;
      // A cell that is not a candidate holds no closed atom: empty, nothing to hide.
      return decisions.get(`${periodKey(period)}|${subtree.id}|${splitKey(split)}`) ?? { published: true };
    },
  };
}

/**
 * A plan's decisions about today's tree, compact enough to keep between requests: `units` are
 * today's unit ids (index 1 on; 0 is the whole tenant), and each candidate period with any cell
 * withheld maps to one letter per (unit index, split), splits in the order of SPLITS:
 * `p` published, `f` too few respondents, `c` complementary. Cells of other periods are published.
 */
export interface StoredPlan {
  units: string[];
  periods: Record<string, string>;
}

const LETTER = { 'too-few-respondents': 'f', complementary: 'c' } as const;
const FROM_LETTER: Record<string, Decision> = {
  f: { published: false, reason: 'too-few-respondents' },
  c: { published: false, reason: 'complementary' },
};

/** What to keep of `plan` (planned from `input`): every decision it would give about today's tree. */
export function storePlan(plan: Disclosure, input: DisclosureInput): StoredPlan {
  const currentMonth = monthStart(input.now);
  const months = new Set(input.atoms.filter((atom) => atom.month < currentMonth && atom.respondents > 0).map((atom) => atom.month));
  const units = input.units.map((unit) => unit.id).sort(compare);
  const periods: Record<string, string> = {};
  for (const period of candidatePeriods([...months].sort(compare), input.now)) {
    const letters = [null, ...units].flatMap((unitId) =>
      SPLITS.map((split) => {
        const decision = plan.decide({ period, unitId, ...(split && { split }) });
        return decision.published ? 'p' : LETTER[decision.reason as keyof typeof LETTER];
      }),
    );
    if (letters.some((letter) => letter !== 'p')) periods[periodKey(period)] = letters.join('');
  }
  return { units, periods };
}

/** The decisions of a stored plan, as `planDisclosure` gave them when it was stored. */
export function storedDisclosure(stored: StoredPlan, now: Date): Disclosure {
  const index = new Map(stored.units.map((id, i) => [id, i + 1]));
  return {
    walked: 0,
    decide({ period, unitId, split }) {
      if (!isClosed(period, now)) return { published: false, reason: 'period-open' };
      const letters = stored.periods[periodKey(period)];
      if (letters === undefined) return { published: true };
      const unit = unitId === null ? 0 : index.get(unitId);
      if (unit === undefined) throw new Error(`unit ${unitId} is not in the stored tree`);
      const splitIndex = SPLITS.findIndex((candidate) => splitKey(candidate) === splitKey(split));
      return FROM_LETTER[letters[unit * SPLITS.length + splitIndex]!] ?? { published: true };
    },
  };
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
