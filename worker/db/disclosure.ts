import { eq, sql } from 'drizzle-orm';
import { internalRollups, units } from '../../db/schema.ts';
import { type Atom, type DisclosureInput, monthStart } from '../domain/disclosure.ts';
import type { Database } from './client.ts';
import { unitParentHistoryQuery } from './units.ts';

/**
 * What a disclosure decision reads (worker/domain/disclosure.ts), as batch items for the route's one
 * round trip: respondents per atom of the closed months, the unit tree and its history.
 */
export function disclosureQueries(db: Database, tenantId: string, now: Date) {
  const month = sql<string>`date_trunc('month', ${internalRollups.day})::date::text`;
  return [
    db
      .select({
        unitId: internalRollups.unitId,
        month,
        tenureBand: internalRollups.tenureBand,
        role: internalRollups.role,
        respondents: sql<number>`sum(${internalRollups.respondents})::int`.mapWith(Number),
      })
      .from(internalRollups)
      .where(sql`${internalRollups.tenantId} = ${tenantId} and ${internalRollups.day} < ${monthStart(now)}::date`)
      .groupBy(internalRollups.unitId, month, internalRollups.tenureBand, internalRollups.role),
    unitParentHistoryQuery(db, tenantId),
    db.select({ id: units.id, parentId: units.parentId }).from(units).where(eq(units.tenantId, tenantId)),
  ] as const;
}

type Results<T extends readonly unknown[]> = { [K in keyof T]: Awaited<T[K]> };

/** The rows of `disclosureQueries` as the decision's input. */
export function disclosureInput([atoms, history, unitRows]: Results<ReturnType<typeof disclosureQueries>>, now: Date): DisclosureInput {
  return {
    atoms: atoms as Atom[],
    history: history.map((entry) => ({ unitId: entry.unitId, parentId: entry.parentId, validFrom: entry.validFrom.getTime() })),
    units: unitRows,
    now,
  };
}
