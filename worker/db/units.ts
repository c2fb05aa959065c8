import { and, eq, exists, isNotNull, isNull, not, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  externalRatings,
  externalRollups,
  internalRatings,
  internalRollups,
  type Unit,
  unitParentHistory,
  units,
} from '../../db/schema.ts';
import { type Acting, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { getRow, listPage, ofTenant as ofTenantRow, type PageRequest } from './collections.ts';
import { createRow } from './create-row.ts';
import {
  ExternalRefTaken,
  FOREIGN_KEY_VIOLATION,
  NotFound,
  ParentUnitNotFound,
  typedErrorOf,
  UNIQUE_VIOLATION,
  UnitChangedMeanwhile,
  UnitCycle,
  UnitHasChildren,
  UnitLimitReached,
} from './errors.ts';
import type { IdempotencyClaim, Replay } from './idempotency.ts';

export interface UnitChanges extends Partial<Pick<Unit, 'name' | 'kind' | 'parentId' | 'externalRef'>> {
  archived?: boolean;
}

export interface UnitFilter {
  kind?: Unit['kind'];
  parentId?: string;
  externalRef?: string;
  /** Only archived units when true, only active ones when false. */
  archived: boolean;
}

/**
 * Units a tenant may have, archived ones included: every report reads the tree and the disclosure
 * rule plans over every unit (README, Limits). Enforced by `check_unit_limit` (migration
 * 0033_unit_limit), which raises UL409 past it: keep the two equal.
 */
export const MAX_UNITS_PER_TENANT = 20_000;
const UNIT_LIMIT_REACHED = 'UL409';

const ofTenant = (tenantId: string, id: string) => ofTenantRow(units, tenantId, id);

/** Re-archiving keeps the first archival time. */
const archivedAtNow = sql`coalesce(${units.archivedAt}, now())`;

/**
 * What a create or update can break, as the caller's mistakes: the composite foreign key refuses a
 * parent that is not the tenant's (so no pre-check costs a round trip), the unique key a taken externalRef.
 */
const refusals = ({ parentId, externalRef }: { parentId?: string | null; externalRef?: string | null }) => ({
  [FOREIGN_KEY_VIOLATION]: () => new ParentUnitNotFound(parentId),
  [UNIQUE_VIOLATION]: () => new ExternalRefTaken(externalRef),
  [UNIT_LIMIT_REACHED]: () => new UnitLimitReached(MAX_UNITS_PER_TENANT),
});

/**
 * Creates a unit given whole (its timestamps too), so its resource is known before the write runs,
 * once per Idempotency-Key `claim`.
 */
export function createUnit(db: Database, unit: Unit, acting: Acting, claim: IdempotencyClaim | undefined): Promise<Replay | undefined> {
  const details = { name: unit.name, kind: unit.kind, parentId: unit.parentId, externalRef: unit.externalRef };
  return createRow(db, units, unit, { action: 'unit.created', details }, acting, claim, refusals(unit));
}

/** The parent history of the tenant's units, for disclosure decisions. */
export function unitParentHistoryQuery(db: Database, tenantId: string) {
  return db
    .select({ unitId: unitParentHistory.unitId, parentId: unitParentHistory.parentId, validFrom: unitParentHistory.validFrom })
    .from(unitParentHistory)
    .where(eq(unitParentHistory.tenantId, tenantId));
}

/** The unit and every unit under it today, as a subquery of ids; `union` ends the walk even on a cycle. */
export function subtreeIdsQuery(tenantId: string, unitId: string) {
  return sql`with recursive scope (id) as (
    select id from ${units} where tenant_id = ${tenantId} and id = ${unitId}
    union select child.id from ${units} child join scope on child.parent_id = scope.id where child.tenant_id = ${tenantId}
  ) select id from scope`;
}

/** A page of the tenant's units that match `filter`, newest first (cursor pagination). */
export function listUnits(db: Database, tenantId: string, page: PageRequest, filter: UnitFilter): Promise<Unit[]> {
  return listPage(db, units, tenantId, page, [
    filter.kind ? eq(units.kind, filter.kind) : undefined,
    filter.parentId ? eq(units.parentId, filter.parentId) : undefined,
    filter.externalRef ? eq(units.externalRef, filter.externalRef) : undefined,
    filter.archived ? isNotNull(units.archivedAt) : isNull(units.archivedAt),
  ]);
}

export function getUnit(db: Database, tenantId: string, id: string): Promise<Unit | undefined> {
  return getRow(db, units, tenantId, id);
}

/**
 * True when `id` is not `parentId` nor one of its ancestors, so that making `parentId` the parent
 * of `id` closes no cycle. It walks up from the new parent, one index lookup per level; `union`
 * ends the walk even on a cycle that already exists.
 */
function wouldStayAcyclic(tenantId: string, id: string, parentId: string) {
  return sql`not exists (
    with recursive ancestors (id, parent_id) as (
      select u.id, u.parent_id from ${units} u where u.tenant_id = ${tenantId} and u.id = ${parentId}
      union
      select u.id, u.parent_id from ${units} u join ancestors a on u.tenant_id = ${tenantId} and u.id = a.parent_id
    )
    select from ancestors where ancestors.id = ${id}
  )`;
}

/**
 * Applies `changes` in one batch and returns the unit as changed: `NotFound` when the tenant has no
 * such unit, `UnitCycle` when the new parent would make it its own ancestor, `ParentUnitNotFound` or
 * `ExternalRefTaken` for what the constraints refuse.
 */
export async function updateUnit(db: Database, tenantId: string, id: string, changes: UnitChanges, { actor, requestId }: Acting): Promise<Unit> {
  const { archived, ...columns } = changes;
  const newParentId = columns.parentId ?? undefined;
  const [, [updated], , [current]] = await inTenant(db, tenantId, [
    // Two concurrent moves could each pass the cycle check against the other's old parent and close
    // a cycle together; moves in one tenant take turns, and each statement then sees the last move.
    db.execute(
      newParentId
        ? sql`select pg_advisory_xact_lock(hashtextextended(${`units.parent_id/${tenantId}`}, 0))`
        : sql`select`, // nothing to wait for; keeps the batch one shape
    ),
    db
      .update(units)
      .set({
        ...columns,
        ...(archived === undefined ? {} : { archivedAt: archived ? archivedAtNow : null }),
        updatedAt: sql`now()`,
      })
      .where(and(ofTenant(tenantId, id), newParentId ? wouldStayAcyclic(tenantId, id, newParentId) : undefined))
      .returning(),
    // Only if the update applied: it set updated_at to this transaction's now().
    auditEventIf(
      db,
      { ...actor, tenantId, action: archived === true ? 'unit.archived' : 'unit.updated', targetId: id, requestId, details: { ...changes } },
      sql`exists (${db.select({ id: units.id }).from(units).where(and(ofTenant(tenantId, id), sql`${units.updatedAt} = now()`))})`,
    ),
    db.select().from(units).where(ofTenant(tenantId, id)),
  ]).catch((error: unknown) => {
    throw typedErrorOf(error, refusals(changes));
  });
  if (updated) return updated;
  if (!current) throw new NotFound('unit', id);
  throw new UnitCycle(id, changes.parentId);
}

/** Rows that keep a unit's history: ratings, and rollups, which may outlive erased ratings. */
function hasHistory(db: Database, tenantId: string, id: string) {
  const rowsOf = (table: typeof externalRatings | typeof internalRatings | typeof externalRollups | typeof internalRollups) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(table)
        .where(and(eq(table.tenantId, tenantId), eq(table.unitId, id))),
    );
  return or(rowsOf(externalRatings), rowsOf(internalRatings), rowsOf(externalRollups), rowsOf(internalRollups))!;
}

export type Removal = { outcome: 'deleted' } | { outcome: 'archived'; unit: Unit };

/**
 * Deletes the unit, or archives it if it has ratings, in one batch: the delete applies only to a
 * unit without history or children, the archive only to one with history, and the last select
 * tells a unit kept for its children (`UnitHasChildren`) from one that does not exist (`NotFound`).
 * A rating or child unit that arrives between the checks and the delete is `UnitChangedMeanwhile`.
 */
export async function deleteOrArchiveUnit(db: Database, tenantId: string, id: string, { actor, requestId }: Acting): Promise<Removal> {
  const child = alias(units, 'child');
  const children = db
    .select({ id: child.id })
    .from(child)
    .where(and(eq(child.tenantId, tenantId), eq(child.parentId, id)));
  const history = hasHistory(db, tenantId, id);
  const deletion = db.$with('deletion').as(
    db
      .delete(units)
      .where(and(ofTenant(tenantId, id), not(history), not(exists(children))))
      .returning({ name: units.name }),
  );
  const [deleted, [archived], , [kept]] = await inTenant(db, tenantId, [
    // The delete runs inside its audit event's statement, so the event is written exactly when it deleted.
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'unit.deleted', targetId: id, requestId, details: sql`(select jsonb_build_object('name', name) from ${deletion})` },
      sql`exists (select from ${deletion})`,
      deletion,
    ).returning({ id: sql<string>`id` }),
    db
      .update(units)
      .set({ archivedAt: archivedAtNow, updatedAt: sql`now()` })
      .where(and(ofTenant(tenantId, id), history))
      .returning(),
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'unit.archived', targetId: id, requestId },
      sql`exists (${db.select({ id: units.id }).from(units).where(and(ofTenant(tenantId, id), sql`${units.updatedAt} = now()`))})`,
    ),
    db
      .select({ children: sql<number>`(select count(*)::int from (${children}) as children)` })
      .from(units)
      .where(ofTenant(tenantId, id)),
  ]).catch((error: unknown) => {
    throw typedErrorOf(error, { [FOREIGN_KEY_VIOLATION]: () => new UnitChangedMeanwhile(id) });
  });
  if (deleted.length > 0) return { outcome: 'deleted' };
  if (archived) return { outcome: 'archived', unit: archived };
  if (!kept) throw new NotFound('unit', id);
  throw new UnitHasChildren(id, kept.children);
}
