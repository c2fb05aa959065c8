import { and, desc, eq, exists, isNotNull, isNull, lt, not, or, sql } from 'drizzle-orm';
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
import { type Acting, auditEvent, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';

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

function ofTenant(tenantId: string, id: string) {
  return and(eq(units.tenantId, tenantId), eq(units.id, id));
}

/** Re-archiving keeps the first archival time. */
const archivedAtNow = sql`coalesce(${units.archivedAt}, now())`;

/**
 * The insert of a unit given whole (its timestamps too), so its resource is known before the write
 * runs. A parent of another tenant, or none, breaks the composite foreign key: SQLSTATE 23503.
 */
export function insertUnit(db: Database, unit: Unit, { actor, requestId }: Acting) {
  return [
    db.insert(units).values(unit),
    auditEvent(db, {
      ...actor,
      tenantId: unit.tenantId,
      action: 'unit.created',
      targetId: unit.id,
      requestId,
      details: { name: unit.name, kind: unit.kind, parentId: unit.parentId, externalRef: unit.externalRef },
    }),
  ];
}

/** The parent history of the tenant's units, for disclosure decisions. */
export function unitParentHistoryQuery(db: Database, tenantId: string) {
  return db
    .select({ unitId: unitParentHistory.unitId, parentId: unitParentHistory.parentId, validFrom: unitParentHistory.validFrom })
    .from(unitParentHistory)
    .where(eq(unitParentHistory.tenantId, tenantId));
}

/** A page of the tenant's units, newest first, after the id `after` (cursor pagination). */
export async function listUnits(db: Database, tenantId: string, filter: UnitFilter, page: { limit: number; after?: string }) {
  const [rows] = await inTenant(db, tenantId, [
    db
      .select()
      .from(units)
      .where(
        and(
          eq(units.tenantId, tenantId),
          page.after ? lt(units.id, page.after) : undefined,
          filter.kind ? eq(units.kind, filter.kind) : undefined,
          filter.parentId ? eq(units.parentId, filter.parentId) : undefined,
          filter.externalRef ? eq(units.externalRef, filter.externalRef) : undefined,
          filter.archived ? isNotNull(units.archivedAt) : isNull(units.archivedAt),
        ),
      )
      .orderBy(desc(units.id))
      .limit(page.limit + 1),
  ]);
  return rows;
}

export async function getUnit(db: Database, tenantId: string, id: string): Promise<Unit | undefined> {
  const [[unit]] = await inTenant(db, tenantId, [db.select().from(units).where(ofTenant(tenantId, id))]);
  return unit;
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
 * Applies `changes` in one batch. `updated` is undefined when the unit does not exist (nor
 * `current`) or when the new parent would make it its own ancestor (`current` is the unit as it
 * stays). A parent that is not the tenant's breaks the foreign key (SQLSTATE 23503).
 */
export async function updateUnit(
  db: Database,
  tenantId: string,
  id: string,
  changes: UnitChanges,
  { actor, requestId }: Acting,
): Promise<{ updated?: Unit; current?: Unit }> {
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
  ]);
  return { updated, current };
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

export type Removal =
  | { outcome: 'deleted' }
  | { outcome: 'archived'; unit: Unit }
  | { outcome: 'has-children'; children: number };

/**
 * Deletes the unit, or archives it if it has ratings, in one batch: the delete applies only to a
 * unit without history or children, the archive only to one with history, and the last select
 * tells a unit kept for its children from one that does not exist (undefined).
 */
export async function deleteOrArchiveUnit(db: Database, tenantId: string, id: string, { actor, requestId }: Acting): Promise<Removal | undefined> {
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
  ]);
  if (deleted.length > 0) return { outcome: 'deleted' };
  if (archived) return { outcome: 'archived', unit: archived };
  return kept && { outcome: 'has-children', children: kept.children };
}
