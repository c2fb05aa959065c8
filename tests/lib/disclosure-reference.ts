/**
 * The disclosure planner as it was before it was made to fit a Worker's memory (worker/domain/disclosure.ts
 * `planDisclosure`, commit f5da826): kept verbatim as the reference the compact planner must agree with on
 * every input (tests/unit/disclosure-reference.test.ts). It materialises every cell as an object and keeps
 * a string-keyed map of decisions, so it is only for small inputs.
 */
import {
  type Atom,
  type Decision,
  type Disclosure,
  type DisclosureInput,
  type DisclosurePeriod,
  type DisclosurePeriodKind,
  isClosed,
  monthsOf,
  monthStart,
  ROLE_VALUES,
  type Split,
  TENURE_BAND_VALUES,
} from '../../worker/domain/disclosure.ts';
import { MIN_GROUP_RESPONDENTS } from '../../worker/domain/measures.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const RANK: Record<DisclosurePeriodKind, number> = { rolling12: 0, quarter: 1, month: 2 };
const parseDay = (day: string) => new Date(`${day}T00:00:00Z`);
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
export function referencePlanDisclosure(input: DisclosureInput & { atoms: readonly Atom[] }): Disclosure {
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

