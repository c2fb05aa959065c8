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
 * later), then coarse before fine (rolling12, quarter, month; larger subtree; no split before a
 * split), then by ids. Atoms are partitioned by their membership signature over the cells
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
  key: string;
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
  const byMonthUnit = new Map<string, number[]>();
  atoms.forEach((atom, index) => {
    const key = `${atom.month}|${atom.unitId}`;
    byMonthUnit.set(key, [...(byMonthUnit.get(key) ?? []), index]);
  });
  const byMonth = new Map<string, number[]>();
  atoms.forEach((atom, index) => byMonth.set(atom.month, [...(byMonth.get(atom.month) ?? []), index]));

  const versions = treeVersions(input);
  const known = new Map<string, Subtree>([['tenant', { key: 'tenant', units: null, firstSeen: 0 }]]);
  for (const version of versions) {
    for (const units of subtrees(version.parents).values()) {
      const key = units.join(',');
      if (!known.has(key)) known.set(key, { key, units, firstSeen: version.validFrom });
    }
  }
  const current = subtrees(versions.at(-1)!.parents);

  const periods = candidatePeriods([...byMonth.keys()], input.now);
  const size = (subtree: Subtree) => (subtree.units === null ? Number.POSITIVE_INFINITY : subtree.units.length);
  const cells = periods.flatMap((period) =>
    [...known.values()].flatMap((subtree) =>
      SPLITS.map((split) => ({ period, subtree, split, availableAt: Math.max(parseDay(period.to).getTime(), subtree.firstSeen) })),
    ),
  );
  cells.sort(
    (a, b) =>
      a.availableAt - b.availableAt ||
      RANK[a.period.kind] - RANK[b.period.kind] ||
      size(b.subtree) - size(a.subtree) ||
      SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split) ||
      a.period.from.localeCompare(b.period.from) ||
      a.subtree.key.localeCompare(b.subtree.key),
  );

  const membersOf = (period: DisclosurePeriod, units: readonly string[] | null, split: Split | undefined): number[] => {
    const members: number[] = [];
    for (const month of monthsOf(period)) {
      const indexes = units === null ? (byMonth.get(month) ?? []) : units.flatMap((unit) => byMonthUnit.get(`${month}|${unit}`) ?? []);
      for (const index of indexes) if (!split || atoms[index]![split.dimension] === split.value) members.push(index);
    }
    return members;
  };

  // The partition: a class per atom, each class's respondents, and whether its signature is non-zero.
  const classOf = new Int32Array(atoms.length);
  const classSize = [atoms.reduce((sum, atom) => sum + atom.respondents, 0)];
  const signed = [false];
  const decisions = new Map<string, Decision>();

  for (const cell of cells) {
    const members = membersOf(cell.period, cell.subtree.units, cell.split);
    const key = `${periodKey(cell.period)}|${cell.subtree.key}|${splitKey(cell.split)}`;
    const inside = new Map<number, number>();
    for (const index of members) inside.set(classOf[index]!, (inside.get(classOf[index]!) ?? 0) + atoms[index]!.respondents);
    const total = [...inside.values()].reduce((sum, n) => sum + n, 0);
    const safe = [...inside].every(([id, n]) => {
      const outside = classSize[id]! - n;
      return n >= minimum && (!signed[id] || outside === 0 || outside >= minimum);
    });
    if (!safe) {
      decisions.set(key, { published: false, reason: total < minimum ? 'too-few-respondents' : 'complementary' });
      continue;
    }
    decisions.set(key, { published: true });
    const split = new Map<number, number>();
    for (const [id, n] of inside) {
      if (n === classSize[id]) signed[id] = true;
      else {
        split.set(id, classSize.length);
        classSize[id]! -= n;
        classSize.push(n);
        signed.push(true);
      }
    }
    for (const index of members) {
      const moved = split.get(classOf[index]!);
      if (moved !== undefined) classOf[index] = moved;
    }
  }

  return {
    walked: cells.length,
    decide({ period, unitId, split }) {
      if (!isClosed(period, input.now)) return { published: false, reason: 'period-open' };
      const units = unitId === null ? null : current.get(unitId);
      if (units === undefined) throw new Error(`unit ${unitId} is not in the tree`);
      const subtreeKey = units === null ? 'tenant' : units.join(',');
      // A cell that is not a candidate holds no closed atom: empty, nothing to hide.
      return decisions.get(`${periodKey(period)}|${subtreeKey}|${splitKey(split)}`) ?? { published: true };
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
