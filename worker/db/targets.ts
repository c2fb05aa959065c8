import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { targets } from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Measure } from '../domain/measures.ts';
import type { Evaluation } from '../domain/target-crossings.ts';
import { type Acting, auditEvent } from './audit.ts';
import { type Database, inTenant, setTenant } from './client.ts';
import { emitWebhookEvent } from './webhooks.ts';

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
  { actor, requestId }: Acting,
): Promise<Target[]> {
  const set = changes.flatMap(({ measure, target }) => (target === null ? [] : [{ tenantId, measure, target }]));
  const removed = changes.flatMap(({ measure, target }) => (target === null ? [measure] : []));
  const [, , , rows] = await inTenant(db, tenantId, [
    // An empty list matches nothing (drizzle renders it as false).
    db.delete(targets).where(and(eq(targets.tenantId, tenantId), inArray(targets.measure, removed))),
    set.length > 0
      ? db
          .insert(targets)
          .values(set)
          .onConflictDoUpdate({
            target: [targets.tenantId, targets.measure],
            // A new target value makes the next evaluation a new baseline, not a crossing.
            set: {
              target: sql`excluded.target`,
              updatedAt: sql`now()`,
              lastSide: sql`case when ${targets.target} = excluded.target then ${targets.lastSide} end`,
            },
          })
      : db.execute(sql`select`), // nothing to set; keeps the batch one shape
    auditEvent(db, { ...actor, tenantId, action: 'targets.updated', requestId, details: { changes } }),
    targetsQuery(db, tenantId),
  ]);
  return rows;
}

/* The daily evaluation behind `scorecard.target.crossed`. */

/** The evaluation's one cross-tenant read (a SECURITY DEFINER function, migration 0011): tenants that have targets. */
export async function readTenantsWithTargets(db: Database): Promise<string[]> {
  const result = await db.execute<{ tenant_id: string }>(sql`select tenant_id from tenants_with_targets()`);
  return result.rows.map((row) => row.tenant_id);
}

/** Each tenant's targets, in one batch of [set_config(A), targets of A, set_config(B), …]. */
export async function readTargetsOf(db: Database, tenantIds: readonly string[]): Promise<Target[][]> {
  if (tenantIds.length === 0) return [];
  const items: BatchItem<'pg'>[] = tenantIds.flatMap((tenantId) => [setTenant(db, tenantId), targetsQuery(db, tenantId)]);
  const results = (await db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]])) as unknown[];
  return tenantIds.map((_, t) => results[2 * t + 1] as Target[]);
}

/**
 * Records the evaluations of several tenants in one batch, each with its tenant set: every
 * evaluated target's side and value, and for each crossing its event. Both apply only while the
 * target is still the one evaluated, so a PUT /v1/targets racing the job neither gets a stale
 * event nor has its reset baseline overwritten.
 */
export async function recordEvaluations(
  db: Database,
  evaluations: readonly { tenantId: string; evaluations: readonly Evaluation[] }[],
  { now, window }: { now: Date; window: { start: string; end: string } },
): Promise<number> {
  const items: BatchItem<'pg'>[] = [];
  let crossings = 0;
  for (const { tenantId, evaluations: list } of evaluations) {
    if (list.length === 0) continue;
    items.push(setTenant(db, tenantId));
    for (const evaluation of list) {
      const same = and(eq(targets.tenantId, tenantId), eq(targets.measure, evaluation.measure), eq(targets.target, evaluation.target));
      if (evaluation.crossed) {
        crossings++;
        const data = { measure: evaluation.measure, target: evaluation.target, value: evaluation.value, side: evaluation.side, previousSide: evaluation.previousSide, window };
        items.push(
          ...emitWebhookEvent(
            db,
            { id: uuidv7(), tenantId, type: 'scorecard.target.crossed' },
            sql`select ${JSON.stringify(data)}::jsonb from ${targets} where ${and(same, eq(targets.lastSide, evaluation.previousSide!))}`,
          ),
        );
      }
      items.push(db.update(targets).set({ lastSide: evaluation.side, lastValue: evaluation.value, evaluatedAt: now }).where(same));
    }
  }
  if (items.length > 0) await db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]]);
  return crossings;
}
