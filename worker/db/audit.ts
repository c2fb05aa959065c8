import { and, desc, getTableColumns, gte, inArray, is, lt, SQL, sql, type WithSubquery } from 'drizzle-orm';
import {
  auditEvents,
  type AuditAction,
  type AuditEvent,
  type OperatorAuditAction,
  type OperatorAuditEvent,
  operatorAuditEvents,
} from '../../db/schema.ts';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { uuidv7 } from '../domain/ids.ts';
import type { Database } from './client.ts';
import { listPage, type PageRequest } from './collections.ts';

export interface Actor {
  actorType: (typeof auditEvents.$inferInsert)['actorType'];
  /** Key id or client id; null for the operator. Never a secret. */
  actorId: string | null;
}

/** Who acts, as the audit log records it, and in which request. */
export interface Acting {
  actor: Actor;
  /** The server's own id of the request. */
  requestId: string;
  /** The client's X-Request-Id, if it sent one. */
  clientRequestId?: string | undefined;
}

export interface AuditEntry extends Actor {
  tenantId: string;
  action: AuditAction;
  targetId?: string | null;
  requestId: string;
  clientRequestId?: string | undefined;
  /** Or an SQL expression, for details only the statement knows (how many rows a CTE deleted). */
  details?: Record<string, unknown> | SQL;
}

/**
 * The insert of one audit event, to put in the same batch as the change it records: both commit,
 * or neither does.
 */
export function auditEvent(db: Database, entry: AuditEntry) {
  return db.insert(auditEvents).values({ id: uuidv7(), ...entry });
}

/**
 * As `auditEvent`, for a change that may turn out to be a no-op (revoking a revoked key): the event
 * is inserted only if `condition` holds, evaluated in the same statement. `ctes` are the common table
 * expressions `condition` reads, such as the data-modifying statement that makes the change, so the
 * event is recorded exactly when the change happened, even under concurrent requests.
 */
export function auditEventIf(db: Database, entry: AuditEntry, condition: SQL, ...ctes: WithSubquery[]) {
  const row: Record<string, unknown> = { id: uuidv7(), ...entry };
  // INSERT … SELECT takes every column, in table order; the ones not given take their defaults.
  const values = Object.entries(getTableColumns(auditEvents)).map(([key, column]) => {
    const value = row[key] ?? column.default ?? null;
    return is(value, SQL) ? value : sql.param(value, column);
  });
  return db
    .with(...ctes)
    .insert(auditEvents)
    .select(sql`select ${sql.join(values, sql`, `)} where ${condition}`);
}

export interface AuditFilter<A extends string = AuditAction> {
  /** Any of these actions; all when empty. */
  actions: A[];
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** The conditions of `filter` on either log's columns (undefined: no condition). */
function filtered(log: { action: AnyPgColumn; occurredAt: AnyPgColumn }, filter: AuditFilter<string>) {
  return [
    filter.actions.length > 0 ? inArray(log.action, filter.actions) : undefined,
    filter.from ? gte(log.occurredAt, filter.from) : undefined,
    filter.to ? lt(log.occurredAt, filter.to) : undefined,
  ];
}

/** A page of the tenant's audit events, newest first, after the id `after` (cursor pagination). */
export function listAuditEvents(db: Database, tenantId: string, filter: AuditFilter, page: PageRequest): Promise<AuditEvent[]> {
  return listPage(db, auditEvents, tenantId, page, filtered(auditEvents, filter));
}

/* The operator's log: changes of no tenant, written and read with no tenant set. */

export type OperatorAuditEntry = Omit<typeof operatorAuditEvents.$inferInsert, 'id' | 'occurredAt'>;

/** The insert of one operator audit event, for the batch of the change it records. */
export function operatorAuditEvent(db: Database, entry: OperatorAuditEntry) {
  return db.insert(operatorAuditEvents).values({ id: uuidv7(), ...entry });
}

/** A page of the operator's audit events, newest first, after the id `after`. */
export function listOperatorAuditEvents(db: Database, filter: AuditFilter<OperatorAuditAction>, page: PageRequest): Promise<OperatorAuditEvent[]> {
  return db
    .select()
    .from(operatorAuditEvents)
    .where(and(page.after ? lt(operatorAuditEvents.id, page.after) : undefined, ...filtered(operatorAuditEvents, filter)))
    .orderBy(desc(operatorAuditEvents.id))
    .limit(page.limit + 1);
}
