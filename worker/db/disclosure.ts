import { and, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { disclosurePlans, internalRollups, units } from '../../db/schema.ts';
import { type Atom, atomGridBuilder, type Disclosure, type DisclosureInput, isClosed, monthStart, planDisclosure, storedDisclosure, storePlan } from '../domain/disclosure.ts';
import { type Database, inTenant } from './client.ts';
import { unitParentHistoryQuery } from './units.ts';

/** A tenant with no respondent in a closed month: every closed cell is empty, so every one is published. */
const nothingClosed = (now: Date): Disclosure => ({
  walked: 0,
  decide: ({ period }) => (isClosed(period, now) ? { published: true } : { published: false, reason: 'period-open' }),
});

/**
 * What a route's one round trip reads for disclosure decisions: today's unit tree, the stored plan
 * and whether it is current, and whether any closed month has respondents at all.
 */
export function disclosureQueries(db: Database, tenantId: string, now: Date) {
  return [db.select({ id: units.id, parentId: units.parentId }).from(units).where(eq(units.tenantId, tenantId)), disclosureStateQuery(db, tenantId, now)] as const;
}

/** The stored plan and whether it is current, without the tree: for a route that does not need the tree itself. */
export function disclosureStateQuery(db: Database, tenantId: string, now: Date) {
  const closed = db
    .select({ one: sql`1` })
    .from(internalRollups)
    .where(and(eq(internalRollups.tenantId, tenantId), lt(internalRollups.day, monthStart(now)), gt(internalRollups.respondents, 0)))
    .limit(1);
  return db
    .select({ anyClosed: sql<boolean>`exists (${closed})`, plan: disclosurePlans })
    .from(sql`(select 1) as one`)
    .leftJoin(disclosurePlans, eq(disclosurePlans.tenantId, tenantId));
}

/**
 * The tenant's disclosure decisions at `now`: from the stored plan when it was computed this month
 * from what is stored today (no more round trips); otherwise planned from every atom (one more
 * round trip, or one per page of atoms) and stored for the next reads (one more), at most once a
 * month and after each change to a closed month or to the tree.
 */
export async function disclosureOf(db: Database, tenantId: string, now: Date, [, [state]]: readonly [unknown, Awaited<ReturnType<typeof disclosureStateQuery>>]): Promise<Disclosure> {
  if (!state?.anyClosed) return nothingClosed(now);
  const month = monthStart(now);
  const stored = state.plan;
  // A plan stored before plans were deflated has no `deflated`: planned again, and stored in today's shape.
  if (stored?.plan && 'deflated' in stored.plan && stored.month === month && stored.planVersion === stored.version) return storedDisclosure(stored.plan, now);
  const input = await planningInput(db, tenantId, now);
  const plan = planDisclosure(input);
  const { version } = input;
  const kept = { month, planVersion: version, plan: await storePlan(plan, input) };
  // Kept only if nothing changed since the read: a later version means a later writer bumped it.
  await inTenant(db, tenantId, [
    db
      .insert(disclosurePlans)
      .values({ tenantId, ...kept })
      .onConflictDoUpdate({
        target: disclosurePlans.tenantId,
        set: kept,
        setWhere: eq(disclosurePlans.version, version),
      }),
  ]);
  return plan;
}

/**
 * Atoms per round trip of a planning read. They grow with units × closed months × splits (154,440
 * at 12,000 units and 13 months, about 13 MiB in one answer: over Neon's 10 MiB), so they are read
 * in pages of about 0.9 MiB.
 */
const ATOMS_PER_PAGE = 10_000;
/** Pages read again when the data changed between them; past this the read gives up. */
const PLANNING_ATTEMPTS = 3;

/**
 * What a plan is computed from, read in one round trip while the atoms fit in a page, else page by
 * page: today's tree again, in the trip that reads the version (a plan kept under a version must be
 * planned from that version's tree), and the atoms. Every later page reads the version again: a
 * change meanwhile (to a closed month or the tree) would mix two states, so the read starts over.
 */
async function planningInput(db: Database, tenantId: string, now: Date): Promise<DisclosureInput & { version: number }> {
  for (let attempt = 1; ; attempt++) {
    const [[current], firstPage, history, unitRows] = await inTenant(db, tenantId, [
      versionQuery(db, tenantId),
      atomsQuery(db, tenantId, now),
      unitParentHistoryQuery(db, tenantId),
      db.select({ id: units.id, parentId: units.parentId }).from(units).where(eq(units.tenantId, tenantId)),
    ]);
    const version = current?.version ?? 0;
    // Into the grid, page by page: as objects, atoms take 86 bytes each even with shared strings (bench/disclosure.ts), rows from the driver more; 5 there.
    const atoms = atomGridBuilder(unitRows.map((unit) => unit.id));
    let page = firstPage as Atom[];
    let changed = false;
    // A full page may end inside a unit: its atoms are read again, whole, from the next page's start.
    while (page.length === ATOMS_PER_PAGE) {
      const cut = page.at(-1)!.unitId;
      const whole = page.filter((atom) => atom.unitId !== cut);
      if (whole.length === 0) throw new Error(`unit ${cut} has more than ${ATOMS_PER_PAGE} atoms`);
      for (const atom of whole) atoms.add(atom);
      const [[again], next] = await inTenant(db, tenantId, [versionQuery(db, tenantId), atomsQuery(db, tenantId, now, cut)]);
      if ((again?.version ?? 0) !== version) {
        changed = true;
        break;
      }
      page = next as Atom[];
    }
    if (changed) {
      // As a serialization failure (40001): nothing was answered, a retry is safe, so a 503 with Retry-After, not a 500.
      if (attempt === PLANNING_ATTEMPTS) throw Object.assign(new Error(`the disclosure data of tenant ${tenantId} kept changing while it was read`), { code: '40001' });
      continue;
    }
    for (const atom of page) atoms.add(atom);
    return {
      atoms: atoms.build(),
      history: history.map((entry) => ({ unitId: entry.unitId, parentId: entry.parentId, validFrom: entry.validFrom.getTime() })),
      units: unitRows,
      now,
      version,
    };
  }
}

function versionQuery(db: Database, tenantId: string) {
  return db.select({ version: disclosurePlans.version }).from(disclosurePlans).where(eq(disclosurePlans.tenantId, tenantId));
}

/** A page of respondents per atom (unit, month, tenure band, role) of the closed months, from unit `fromUnit` on. */
function atomsQuery(db: Database, tenantId: string, now: Date, fromUnit?: string) {
  const month = sql<string>`date_trunc('month', ${internalRollups.day})::date::text`;
  return db
    .select({
      unitId: internalRollups.unitId,
      month,
      tenureBand: internalRollups.tenureBand,
      role: internalRollups.role,
      respondents: sql<number>`sum(${internalRollups.respondents})::int`.mapWith(Number),
    })
    .from(internalRollups)
    .where(and(eq(internalRollups.tenantId, tenantId), lt(internalRollups.day, monthStart(now)), fromUnit ? gte(internalRollups.unitId, fromUnit) : undefined))
    .groupBy(internalRollups.unitId, month, internalRollups.tenureBand, internalRollups.role)
    .orderBy(internalRollups.unitId, month, internalRollups.tenureBand, internalRollups.role)
    .limit(ATOMS_PER_PAGE);
}
