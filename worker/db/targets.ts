import { and, eq, inArray, sql } from 'drizzle-orm';
import { targets } from '../../db/schema.ts';
import type { Measure } from '../domain/measures.ts';
import { type Database, inTenant } from './client.ts';

export type Target = typeof targets.$inferSelect;

/** The tenant's targets, in MEASURES order, as a batch item (the scorecard reads them with its totals). */
export function targetsQuery(db: Database, tenantId: string) {
  return db.select().from(targets).where(eq(targets.tenantId, tenantId)).orderBy(targets.measure);
}

export async function listTargets(db: Database, tenantId: string): Promise<Target[]> {
  const [rows] = await inTenant(db, tenantId, [targetsQuery(db, tenantId)]);
  return rows;
}

/**
 * Sets (a number) or removes (null) the targets of the given measures, leaving the others, and
 * returns all of them: one round trip.
 */
export async function replaceTargets(
  db: Database,
  tenantId: string,
  changes: readonly { measure: Measure; target: number | null }[],
): Promise<Target[]> {
  const set = changes.flatMap(({ measure, target }) => (target === null ? [] : [{ tenantId, measure, target }]));
  const removed = changes.flatMap(({ measure, target }) => (target === null ? [measure] : []));
  const [, , rows] = await inTenant(db, tenantId, [
    // An empty list matches nothing (drizzle renders it as false).
    db.delete(targets).where(and(eq(targets.tenantId, tenantId), inArray(targets.measure, removed))),
    set.length > 0
      ? db
          .insert(targets)
          .values(set)
          .onConflictDoUpdate({ target: [targets.tenantId, targets.measure], set: { target: sql`excluded.target`, updatedAt: sql`now()` } })
      : db.execute(sql`select`), // nothing to set; keeps the batch one shape
    targetsQuery(db, tenantId),
  ]);
  return rows;
}
