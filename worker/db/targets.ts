import { and, eq, isNull, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { targets, units } from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Measure } from '../domain/measures.ts';
import type { Evaluation } from '../domain/target-crossings.ts';
import { type Acting, auditEvent } from './audit.ts';
import { type Database, inTenant, setTenant } from './client.ts';
import { emitWebhookEvent } from './webhooks.ts';
import { disclosureOf, disclosureQueries } from './disclosure.ts';
import { FOREIGN_KEY_VIOLATION, typedErrorOf, UnitNotFound } from './errors.ts';
import { externalTotals, type ExternalTotalsRow, internalTotals, type InternalTotalsRow } from './rollup-totals.ts';
import type { Span } from '../domain/road.ts';
import { monthStart } from '../domain/disclosure.ts';
import { subtreeIdsQuery } from './units.ts';

export type Target = typeof targets.$inferSelect;

/** One target to set (a number) or remove (null); an absent baseline or deadline keeps the stored one, null clears it. */
export interface TargetChange {
  measure: Measure;
  unitId: string | null;
  target: number | null;
  baseline?: { value: number; from: string; to: string } | null;
  deadline?: string | null;
}

/** The tenant's targets, tenant-wide first, then per unit, each in MEASURES order, as a batch item (the scorecard reads them with its totals). */
export function targetsQuery(db: Database, tenantId: string) {
  return db.select().from(targets).where(eq(targets.tenantId, tenantId)).orderBy(sql`${targets.unitId} nulls first`, targets.measure);
}

/**
 * What the pace of a scope's targets is fitted on, as two batch items (external, internal): the
 * scope's totals per ended month since the earliest baseline of its targets, summed in SQL (a row a
 * month, whatever the tenant's size). The baseline is read by the query itself, so the scorecard
 * gets these with its targets in one round trip, and whatever periods it was asked for.
 */
export function roadTotalsQueries(db: Database, tenantId: string, unitId: string | null, now: Date) {
  const since = sql`select min(${targets.baselineTo}) from ${targets} where ${targets.tenantId} = ${tenantId} and ${
    unitId === null ? isNull(targets.unitId) : eq(targets.unitId, unitId)
  }`;
  const range = { tenantId, from: since, to: monthStart(now), bucket: 'month' as const, ...(unitId !== null && { unitsIn: subtreeIdsQuery(tenantId, unitId) }) };
  return [externalTotals(db, range), internalTotals(db, range)] as const;
}

export async function listTargets(db: Database, tenantId: string): Promise<Target[]> {
  const [rows] = await inTenant(db, tenantId, [targetsQuery(db, tenantId)]);
  return rows;
}

/**
 * What baselines are taken from, in one round trip (and, as for every disclosure decision, the plan's
 * once a month): per period, the totals of each unit, and what decides which internal figures may be published.
 */
export async function readBaselineTotals(db: Database, tenantId: string, spans: readonly Span[], now: Date) {
  const [unitsQuery, stateQuery] = disclosureQueries(db, tenantId, now);
  const totalsQueries = spans.flatMap((span) => {
    const range = { tenantId, from: span.from, to: span.to, groupBy: ['unitId'] as const };
    return [externalTotals(db, range), internalTotals(db, range)];
  });
  const [units, state, ...totals] = await inTenant(db, tenantId, [unitsQuery, stateQuery, ...totalsQueries]);
  return {
    units,
    disclosure: await disclosureOf(db, tenantId, now, [units, state]),
    totals: spans.map((_, i) => ({ external: totals[2 * i] as ExternalTotalsRow[], internal: totals[2 * i + 1] as InternalTotalsRow[] })),
  };
}

const sameScope = (tenantId: string, unitId: string | null, measure: Measure) =>
  and(eq(targets.tenantId, tenantId), unitId === null ? isNull(targets.unitId) : eq(targets.unitId, unitId), eq(targets.measure, measure));

/**
 * Sets or removes the given targets, leaving the others, and returns all of them: one round trip.
 * A unit that is not the tenant's fails the composite foreign key: no pre-check costs a round trip.
 */
export async function replaceTargets(db: Database, tenantId: string, changes: readonly TargetChange[], { actor, requestId }: Acting): Promise<Target[]> {
  const writes = changes.map(({ measure, unitId, target, baseline, deadline }) => {
    if (target === null) return db.delete(targets).where(sameScope(tenantId, unitId, measure));
    const kept = {
      ...(baseline !== undefined && { baselineValue: baseline?.value ?? null, baselineFrom: baseline?.from ?? null, baselineTo: baseline?.to ?? null }),
      ...(deadline !== undefined && { deadline }),
    };
    return db
      .insert(targets)
      .values({ id: uuidv7(), tenantId, unitId, measure, target, ...kept })
      .onConflictDoUpdate({
        target: [targets.tenantId, targets.unitId, targets.measure],
        // A new target value makes the next evaluation a new baseline, not a crossing.
        set: {
          ...kept,
          target: sql`excluded.target`,
          updatedAt: sql`now()`,
          lastSide: sql`case when ${targets.target} = excluded.target then ${targets.lastSide} end`,
        },
      });
  });
  try {
    const results = await inTenant(db, tenantId, [
      auditEvent(db, { ...actor, tenantId, action: 'targets.updated', requestId, details: { changes } }),
      ...writes,
      targetsQuery(db, tenantId),
    ]);
    return results.at(-1) as Target[];
  } catch (error) {
    throw typedErrorOf(error, {
      [FOREIGN_KEY_VIOLATION]: () => new UnitNotFound([...new Set(changes.flatMap(({ unitId }) => (unitId === null ? [] : [unitId])))]),
    });
  }
}

/* The daily evaluation behind `scorecard.target.crossed`. */

/** The evaluation's one cross-tenant read (a SECURITY DEFINER function, migration 0011): tenants that have targets. */
export async function readTenantsWithTargets(db: Database): Promise<string[]> {
  const result = await db.execute<{ tenant_id: string }>(sql`select tenant_id from tenants_with_targets()`);
  return result.rows.map((row) => row.tenant_id);
}

/**
 * Each tenant's targets, with its external totals per unit over `window` and its units (what a unit's
 * target is judged on), in one batch of [set_config(A), targets of A, totals of A, units of A, set_config(B), …].
 */
export async function readTargetsOf(db: Database, tenantIds: readonly string[], window: { start: string; end: string }) {
  if (tenantIds.length === 0) return [];
  const items: BatchItem<'pg'>[] = tenantIds.flatMap((tenantId) => [
    setTenant(db, tenantId),
    targetsQuery(db, tenantId),
    externalTotals(db, { tenantId, from: window.start, to: window.end, groupBy: ['unitId'] }),
    db.select({ id: units.id, parentId: units.parentId }).from(units).where(eq(units.tenantId, tenantId)),
  ]);
  const results = (await db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]])) as unknown[];
  return tenantIds.map((_, t) => ({
    targets: results[4 * t + 1] as Target[],
    unitExternal: results[4 * t + 2] as ExternalTotalsRow[],
    units: results[4 * t + 3] as { id: string; parentId: string | null }[],
  }));
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
      const same = and(sameScope(tenantId, evaluation.unitId, evaluation.measure), eq(targets.target, evaluation.target));
      if (evaluation.crossed) {
        crossings++;
        const data = { unitId: evaluation.unitId, measure: evaluation.measure, target: evaluation.target, value: evaluation.value, side: evaluation.side, previousSide: evaluation.previousSide, window };
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
