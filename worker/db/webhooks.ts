import { and, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
  type WebhookEndpoint,
  type WebhookEventType,
} from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import { type Acting, auditEventIf } from './audit.ts';
import { type Database, inTenant } from './client.ts';
import { getRow, listPage, ofTenant as ofTenantRow, type PageRequest } from './collections.ts';
import { createRow } from './create-row.ts';
import { DIVISION_BY_ZERO, NotFound, retryConflicts } from './errors.ts';
import { type IdempotencyClaim, type Replay, writeOnce } from './idempotency.ts';

const ofTenant = (tenantId: string, id: string) => ofTenantRow(webhookEndpoints, tenantId, id);
const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/*
 * Lock order, the same in every writer: an endpoint before its deliveries, and rows of one table in
 * id order. The PATCH took its endpoint then the deliveries while the delivery consumer took the
 * deliveries then the endpoint, and the two deadlocked (40P01) under the fuzz.
 */

/** The ids of the deliveries matching `where`, locked in id order, for an UPDATE's `id in (…)`. */
function lockedDeliveries(db: Database, where: SQL | undefined) {
  return db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(where).orderBy(webhookDeliveries.id).for('update');
}

/** Locks the tenant's endpoints `ids` in id order: the first statement of a batch that then writes their deliveries. */
function lockEndpoints(db: Database, tenantId: string, ids: string[]) {
  return db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), inArray(webhookEndpoints.id, ids)))
    .orderBy(webhookEndpoints.id)
    .for('no key update');
}

/* Endpoints (the routes). */

/** Creates an endpoint given whole, so its resource is known before the write runs; once per `claim`. */
export function createWebhookEndpoint(db: Database, endpoint: WebhookEndpoint, acting: Acting, claim: IdempotencyClaim | undefined): Promise<Replay | undefined> {
  const details = { url: endpoint.url, eventTypes: endpoint.eventTypes };
  return createRow(db, webhookEndpoints, endpoint, { action: 'webhook_endpoint.created', details }, acting, claim);
}

/**
 * Rotates the endpoint's secret to `secretCiphertext`, once per `claim`: the old one keeps signing
 * (beside the new) for `gracePeriodSeconds`, audited. If the endpoint is gone by the time the batch
 * runs, a division by zero (SQLSTATE 22012) rolls the batch back, Idempotency-Key claim included, as
 * for an API key's rotation: `NotFound`.
 */
export function rotateWebhookSecret(
  db: Database,
  endpoint: Pick<WebhookEndpoint, 'tenantId' | 'id'>,
  secretCiphertext: string,
  gracePeriodSeconds: number,
  { actor, requestId, clientRequestId }: Acting,
  claim: IdempotencyClaim | undefined,
): Promise<Replay | undefined> {
  const { tenantId, id } = endpoint;
  return writeOnce(db, tenantId, claim, [
    db
      .update(webhookEndpoints)
      .set({
        previousSecretCiphertext: webhookEndpoints.secretCiphertext,
        previousSecretExpiresAt: sql`now() + make_interval(secs => ${gracePeriodSeconds})`,
        secretCiphertext,
      })
      .where(ofTenant(tenantId, id)),
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'webhook_endpoint.secret_rotated', targetId: id, requestId, clientRequestId, details: { gracePeriodSeconds } },
      sql`exists (${db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(and(ofTenant(tenantId, id), eq(webhookEndpoints.secretCiphertext, secretCiphertext)))})`,
    ),
    db.execute(sql`select 1 / (select count(*)::int from ${webhookEndpoints} where ${ofTenant(tenantId, id)}) as rotated`),
  ], { [DIVISION_BY_ZERO]: () => new NotFound('webhook endpoint', id) });
}

/** A page of the tenant's endpoints, newest first (cursor pagination). */
export function listWebhookEndpoints(db: Database, tenantId: string, page: PageRequest): Promise<WebhookEndpoint[]> {
  return listPage(db, webhookEndpoints, tenantId, page);
}

export function getWebhookEndpoint(db: Database, tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
  return getRow(db, webhookEndpoints, tenantId, id);
}

/**
 * Deletes the endpoint with its deliveries and attempts, audited; false when the tenant has no such
 * endpoint. The endpoint and its deliveries are locked first, in the lock order above, so the
 * cascade takes no lock out of order.
 */
export async function deleteWebhookEndpoint(db: Database, tenantId: string, id: string, { actor, requestId, clientRequestId }: Acting): Promise<boolean> {
  const deleted = db.$with('deleted').as(db.delete(webhookEndpoints).where(ofTenant(tenantId, id)).returning({ url: webhookEndpoints.url }));
  const [, , audited] = await inTenant(db, tenantId, [
    lockEndpoints(db, tenantId, [id]),
    // Counted, not listed: an endpoint may have thousands of deliveries.
    db.execute(sql`select count(*) from (${lockedDeliveries(db, and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, id)))}) as locked`),
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'webhook_endpoint.deleted', targetId: id, requestId, clientRequestId, details: sql`(select jsonb_build_object('url', url) from ${deleted})` },
      sql`exists (select from ${deleted})`,
      deleted,
    ).returning({ id: sql<string>`id` }),
  ]);
  return audited.length > 0;
}

export interface EndpointChanges {
  url?: string;
  eventTypes?: WebhookEventType[];
  /** true: re-enable, which also resets the failure clock; false: disable and abandon pending deliveries. */
  enabled?: boolean;
}

/**
 * Applies an admin's changes to the endpoint in one batch, audited with what changed; the endpoint as
 * it is after, or undefined when the tenant has no such endpoint. Re-enabling clears `failingSince`,
 * so the 24 hours before disabling start again from the next failure.
 */
export async function updateWebhookEndpoint(
  db: Database,
  tenantId: string,
  id: string,
  changes: EndpointChanges,
  { actor, requestId }: Acting,
): Promise<WebhookEndpoint | undefined> {
  const { enabled, ...rest } = changes;
  const status =
    enabled === undefined
      ? {}
      : enabled
        ? { disabledAt: null, failingSince: null }
        : { disabledAt: sql`coalesce(${webhookEndpoints.disabledAt}, now())` };
  // The consumer and dispatcher lock in the same order, so a conflict is not expected; one is retried all the same.
  const [[endpoint]] = await retryConflicts(() => inTenant(db, tenantId, [
    db.update(webhookEndpoints).set({ ...rest, ...status }).where(ofTenant(tenantId, id)).returning(),
    ...(enabled === false
      ? [
          db
            .update(webhookDeliveries)
            .set({ status: 'abandoned', nextAttemptAt: null })
            .where(
              inArray(
                webhookDeliveries.id,
                lockedDeliveries(db, and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, 'pending'))),
              ),
            ),
        ]
      : []),
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'webhook_endpoint.updated', targetId: id, requestId, details: { ...changes } },
      sql`exists (${db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(ofTenant(tenantId, id))})`,
    ),
  ]));
  return endpoint;
}

/**
 * Writes a `webhook.test` event to the outbox with one delivery, to this endpoint only, due now, and
 * audits it: delivered by the same job, signed the same way, as any event. Nothing when the endpoint
 * is gone or disabled by the time the batch runs; the delivery's id otherwise.
 */
export async function sendTestEvent(
  db: Database,
  endpoint: Pick<WebhookEndpoint, 'tenantId' | 'id'>,
  eventId: string,
  { actor, requestId }: Acting,
): Promise<string | undefined> {
  const { tenantId, id } = endpoint;
  const data = sql`jsonb_build_object('endpointId', endpoint.id, 'message', 'A test event, sent on request.')`;
  const [, inserted] = await inTenant(db, tenantId, [
    db.execute(
      sql`insert into ${webhookEvents} (id, tenant_id, type, data)
          select ${eventId}::uuid, endpoint.tenant_id, 'webhook.test', ${data} from ${webhookEndpoints} as endpoint
          where endpoint.tenant_id = ${tenantId}::uuid and endpoint.id = ${id}::uuid and endpoint.disabled_at is null`,
    ),
    db.execute<{ id: string }>(
      sql`insert into ${webhookDeliveries} (tenant_id, event_id, endpoint_id, next_attempt_at)
          select tenant_id, id, ${id}::uuid, now() from ${webhookEvents} where id = ${eventId}::uuid
          returning id`,
    ),
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'webhook_endpoint.tested', targetId: id, requestId, details: { eventId } },
      sql`exists (${db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.id, eventId))})`,
    ),
  ]);
  return (inserted.rows[0] as { id: string } | undefined)?.id;
}

export type RedeliveryOutcome = { status: 'scheduled'; eventId: string } | { status: 'pending' } | { status: 'notFound' };

/**
 * Schedules a finished delivery (succeeded or abandoned) of an enabled endpoint again, due now, with
 * a fresh set of attempts under the same `webhook-id`, audited. `pending`: it is still being tried.
 */
export async function redeliver(db: Database, tenantId: string, endpointId: string, deliveryId: string, { actor, requestId }: Acting): Promise<RedeliveryOutcome> {
  const ofDelivery = and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, deliveryId));
  const rescheduled = db.$with('rescheduled').as(
    db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, lastStatusCode: null, lastError: null })
      .where(and(ofDelivery, sql`${webhookDeliveries.status} <> 'pending'`))
      .returning({ id: webhookDeliveries.id }),
  );
  const [audited, [current]] = await inTenant(db, tenantId, [
    auditEventIf(
      db,
      { ...actor, tenantId, action: 'webhook_delivery.redelivered', targetId: deliveryId, requestId, details: { endpointId } },
      sql`exists (select from ${rescheduled})`,
      rescheduled,
    ).returning({ id: sql<string>`id` }),
    db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries).where(ofDelivery),
  ]);
  if (!current) return { status: 'notFound' };
  return audited.length > 0 ? { status: 'scheduled', eventId: current.eventId } : { status: 'pending' };
}

export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect & {
  eventId: string;
  eventType: WebhookEventType;
  deliveryStatus: (typeof webhookDeliveries.$inferSelect)['status'];
  attempts: number;
};

/** A page of the endpoint's attempts, newest first; undefined when the tenant has no such endpoint. */
export async function listWebhookAttempts(
  db: Database,
  tenantId: string,
  endpointId: string,
  page: PageRequest,
): Promise<WebhookAttemptRow[] | undefined> {
  const [[endpoint], rows] = await inTenant(db, tenantId, [
    db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(ofTenant(tenantId, endpointId)),
    db
      .select({
        id: webhookAttempts.id,
        tenantId: webhookAttempts.tenantId,
        deliveryId: webhookAttempts.deliveryId,
        endpointId: webhookAttempts.endpointId,
        attemptedAt: webhookAttempts.attemptedAt,
        statusCode: webhookAttempts.statusCode,
        durationMs: webhookAttempts.durationMs,
        error: webhookAttempts.error,
        eventId: webhookDeliveries.eventId,
        eventType: webhookEvents.type,
        deliveryStatus: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
      })
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .where(
        and(
          eq(webhookAttempts.tenantId, tenantId),
          eq(webhookAttempts.endpointId, endpointId),
          page.after ? lt(webhookAttempts.id, page.after) : undefined,
        ),
      )
      .orderBy(desc(webhookAttempts.id))
      .limit(page.limit + 1),
  ]);
  return endpoint ? rows : undefined;
}

/* Events (the outbox), emitted in the batch of the change that causes them. */

export interface EmittedEvent {
  /** Sent as `webhook-id`. */
  id: string;
  tenantId: string;
  type: WebhookEventType;
}

/**
 * The statements that write an event to the outbox and fan it out to the tenant's enabled
 * endpoints subscribed to its type, to append to the batch of the change that causes it (both
 * commit or neither does). `source` is a query of one jsonb column, the event's data: no row, no
 * event — so an event can depend on what the batch's earlier statements did. An event no endpoint
 * subscribes to is not written: nothing could deliver it, and the daily benchmark job would
 * otherwise leave a row per ranked tenant. Row-level security keeps the fan-out within the batch's
 * tenant, which must be `event.tenantId`.
 */
export function emitWebhookEvent(db: Database, event: EmittedEvent, source: SQL): BatchItem<'pg'>[] {
  return [
    db.execute(
      sql`insert into ${webhookEvents} (id, tenant_id, type, data)
          select ${event.id}::uuid, ${event.tenantId}::uuid, ${event.type}::webhook_event_type, source.data from (${source}) as source(data)
          where exists (
            select from ${webhookEndpoints} as endpoint
            where endpoint.tenant_id = ${event.tenantId}::uuid and endpoint.disabled_at is null
              and ${event.type}::webhook_event_type = any (endpoint.event_types))`,
    ),
    db.execute(
      sql`insert into ${webhookDeliveries} (tenant_id, event_id, endpoint_id, next_attempt_at)
          select endpoint.tenant_id, event.id, endpoint.id, now()
          from ${webhookEndpoints} as endpoint join ${webhookEvents} as event on event.id = ${event.id}::uuid
          where endpoint.tenant_id = ${event.tenantId}::uuid and endpoint.disabled_at is null and event.type = any (endpoint.event_types)`,
    ),
  ];
}

/* Delivery (the job). */

/** Leases up to `limit` due deliveries of any tenant (`claim_webhook_deliveries`, migration 0009). */
export async function claimDeliveries(db: Database, now: Date, limit: number, leaseSeconds: number): Promise<{ deliveryId: string; tenantId: string }[]> {
  const result = await db.execute<{ delivery_id: string; tenant_id: string }>(
    sql`select delivery_id, tenant_id from claim_webhook_deliveries(${at(now)}, ${limit}, ${leaseSeconds})`,
  );
  return result.rows.map((row) => ({ deliveryId: row.delivery_id, tenantId: row.tenant_id }));
}

export interface DueDelivery {
  delivery: typeof webhookDeliveries.$inferSelect;
  event: typeof webhookEvents.$inferSelect;
  endpoint: WebhookEndpoint;
}

/** The deliveries `ids` of the tenant whose endpoints are enabled, with their events and endpoints. */
export async function readDeliveries(db: Database, tenantId: string, ids: string[]): Promise<DueDelivery[]> {
  const [rows] = await inTenant(db, tenantId, [
    db
      .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(eq(webhookDeliveries.tenantId, tenantId), inArray(webhookDeliveries.id, ids), isNull(webhookEndpoints.disabledAt))),
  ]);
  return rows;
}

/**
 * Starts one attempt of each leased delivery of the tenant, in one round trip, and reads what it
 * needs: a delivery starts only if it is still pending under the very lease the dispatcher gave it
 * (`leasedUntil`), and starting moves that lease to `attemptLeaseUntil`. So however often the Queue
 * hands over a message, one attempt starts per lease; a second copy finds the lease moved and reads
 * nothing. Deliveries of disabled endpoints start and are not read (disabling abandoned them).
 */
export async function startAttempts(
  db: Database,
  tenantId: string,
  leases: readonly { deliveryId: string; leasedUntil: string }[],
  attemptLeaseUntil: Date,
): Promise<DueDelivery[]> {
  const wanted = JSON.stringify(leases.map(({ deliveryId, leasedUntil }) => ({ id: deliveryId, leased_until: leasedUntil })));
  const started = db.$with('started').as(
    db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: attemptLeaseUntil })
      .where(
        inArray(
          webhookDeliveries.id,
          lockedDeliveries(
            db,
            and(
              eq(webhookDeliveries.tenantId, tenantId),
              eq(webhookDeliveries.status, 'pending'),
              sql`(${webhookDeliveries.id}, ${webhookDeliveries.nextAttemptAt}) in (
                    select id, leased_until from jsonb_to_recordset(${wanted}::jsonb) as lease(id uuid, leased_until timestamptz))`,
            ),
          ),
        ),
      )
      .returning({ startedId: webhookDeliveries.id }),
  );
  const [rows] = await inTenant(db, tenantId, [
    db
      .with(started)
      .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(started, eq(started.startedId, webhookDeliveries.id))
      .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(isNull(webhookEndpoints.disabledAt)),
  ]);
  return rows;
}

export interface AttemptOutcome {
  deliveryId: string;
  endpointId: string;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** What the delivery becomes: delivered, retried at `nextAttemptAt`, or given up. */
  status: 'succeeded' | 'pending' | 'abandoned';
  nextAttemptAt: Date | null;
}

/**
 * Records one run's attempts for one tenant in one batch, which locks their endpoints first (the lock
 * order above): each delivery's new state with its attempt (inserted only if the delivery still
 * exists: its endpoint may have been deleted while the request was in flight), each endpoint's
 * failing streak, and the disabling of any endpoint failing for `disableAfterMs` — its pending
 * deliveries abandoned and an audit event written.
 */
export async function recordOutcomes(
  db: Database,
  tenantId: string,
  outcomes: AttemptOutcome[],
  { now, disableAfterMs, requestId }: { now: Date; disableAfterMs: number; requestId: string },
): Promise<void> {
  if (outcomes.length === 0) return;
  const endpointIds = [...new Set(outcomes.map((outcome) => outcome.endpointId))];
  const items: BatchItem<'pg'>[] = [lockEndpoints(db, tenantId, endpointIds)];
  const byDelivery = [...outcomes].sort((a, b) => (a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0));
  for (const outcome of byDelivery) {
    const updated = db.$with('updated').as(
      db
        .update(webhookDeliveries)
        .set({
          status: outcome.status,
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          nextAttemptAt: outcome.nextAttemptAt,
          lastStatusCode: outcome.statusCode,
          lastError: outcome.error,
        })
        .where(and(eq(webhookDeliveries.id, outcome.deliveryId), eq(webhookDeliveries.status, 'pending')))
        .returning({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId }),
    );
    items.push(
      db
        .with(updated)
        .insert(webhookAttempts)
        .select(
          sql`select ${uuidv7()}::uuid, ${tenantId}::uuid, id, endpoint_id, ${at(outcome.attemptedAt)}, ${outcome.statusCode}::smallint, ${outcome.durationMs}::integer, ${outcome.error} from ${updated}`,
        ),
    );
    // A success ends the endpoint's failing streak; a failure starts one unless it is running.
    items.push(
      db
        .update(webhookEndpoints)
        .set({ failingSince: outcome.status === 'succeeded' ? null : sql`coalesce(${webhookEndpoints.failingSince}, ${at(outcome.attemptedAt)})` })
        .where(ofTenant(tenantId, outcome.endpointId)),
    );
  }
  const failed = new Set(outcomes.filter((outcome) => outcome.status !== 'succeeded').map((outcome) => outcome.endpointId));
  for (const endpointId of failed) {
    const disabled = db.$with('disabled').as(
      db
        .update(webhookEndpoints)
        .set({ disabledAt: now })
        .where(
          and(
            ofTenant(tenantId, endpointId),
            isNull(webhookEndpoints.disabledAt),
            sql`${webhookEndpoints.failingSince} <= ${at(new Date(now.getTime() - disableAfterMs))}`,
          ),
        )
        .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url, failingSince: webhookEndpoints.failingSince }),
    );
    const abandoned = db.$with('abandoned').as(
      db
        .update(webhookDeliveries)
        .set({ status: 'abandoned', nextAttemptAt: null })
        .where(
          inArray(
            webhookDeliveries.id,
            lockedDeliveries(db, and(eq(webhookDeliveries.endpointId, sql`(select id from ${disabled})`), eq(webhookDeliveries.status, 'pending'))),
          ),
        )
        .returning({ id: webhookDeliveries.id }),
    );
    items.push(
      auditEventIf(
        db,
        {
          actorType: 'system',
          actorId: null,
          tenantId,
          action: 'webhook_endpoint.disabled',
          targetId: endpointId,
          requestId,
          details: sql`(select jsonb_build_object('url', url, 'failingSince', failing_since, 'abandonedDeliveries', (select count(*) from ${abandoned})) from ${disabled})`,
        },
        sql`exists (select from ${disabled})`,
        disabled,
        abandoned,
      ),
    );
  }
  await inTenant(db, tenantId, items as [BatchItem<'pg'>]);
}

/** Deletes finished events created before `before`, of every tenant (`prune_webhook_events`, migration 0013). */
export async function pruneEvents(db: Database, before: Date, limit: number): Promise<number> {
  const result = await db.execute<{ pruned: number }>(sql`select prune_webhook_events(${at(before)}, ${limit}) as pruned`);
  return Number(result.rows[0]?.pruned ?? 0);
}
