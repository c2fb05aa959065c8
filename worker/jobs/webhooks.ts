import { createDatabase, type Database } from '../db/client.ts';
import { type AttemptOutcome, claimDeliveries, type DueDelivery, pruneEvents, readDeliveries, recordOutcomes, startAttempts } from '../db/webhooks.ts';
import { uuidv7 } from '../domain/ids.ts';
import { checkOutboundUrl } from '../domain/outbound-url.ts';
import { openSecret } from '../domain/secret-box.ts';
import { type DeliveryMessage, DISABLE_AFTER_MS, isDelivered, MAX_ATTEMPTS, retryDelayMs, webhookBody, webhookHeaders } from '../domain/webhooks.ts';
import type { Env } from '../env.ts';

/** Deliveries one claim leases (`claim_webhook_deliveries` takes at most 100): one `sendBatch`, within Queues' 100 messages. */
const CLAIM_BATCH = 100;
/** Deliveries one dispatch sends at most: 100 claims and 100 sends, well within an invocation's subrequests. */
const MAX_DISPATCH = 10_000;
/** Attempts in flight at once in one consumer invocation: Workers' simultaneous open connections. */
const MAX_CONCURRENT_SENDS = 6;
/** How long one attempt may take before it counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * A dispatched delivery is not claimed again for this long, so the Queue has time to hand it over.
 * If the consumer falls further behind, the next dispatch sends it again, and the older message
 * finds its lease gone and sends nothing.
 */
const DISPATCH_LEASE_SECONDS = 300;
/** A started attempt is not dispatched again for this long: far longer than its timeout. */
const ATTEMPT_LEASE_MS = 120_000;
const MAX_ERROR_LENGTH = 500;
/** The error of an attempt recorded for a dead letter: nothing was sent. */
const DEAD_LETTER_ERROR = 'Dead-lettered: the Queue gave up on this delivery\'s message after its retries; nothing was sent.';
/** How long finished events, their deliveries and attempts stay listed: well past the 28 hours of retries. */
export const WEBHOOK_RETENTION_DAYS = 30;
/** Events pruned per call (`prune_webhook_events` takes at most 10,000), one short transaction each. */
const PRUNE_LIMIT = 10_000;
/** Calls per daily run: up to 100,000 events a day, so one run stays bounded; a larger backlog drains over days. */
const PRUNE_CALLS = 10;

export type WebhookEnv = Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT' | 'HASH_SECRET' | 'WEBHOOK_ALLOW_LOOPBACK'>;
export type DispatchEnv = Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT' | 'WEBHOOK_QUEUE'>;

/**
 * Moves the deliveries due at `now` (the cron's scheduled time, so tests can move the clock) onto
 * the Queue: leases them in the database (`claim_webhook_deliveries`: across tenants, SKIP LOCKED,
 * so concurrent dispatches never take the same row) and sends one message per delivery, naming its
 * lease. The outbox stays the source of truth: a dispatch that dies after leasing loses nothing, the
 * lease runs out and the next dispatch sends it. Returns how many it sent.
 */
export async function dispatchWebhookDeliveries(env: DispatchEnv, { now }: { now: Date }): Promise<number> {
  const db = createDatabase(env);
  const leasedUntil = new Date(now.getTime() + DISPATCH_LEASE_SECONDS * 1000).toISOString();
  let sent = 0;
  for (;;) {
    const claimed = await claimDeliveries(db, now, CLAIM_BATCH, DISPATCH_LEASE_SECONDS);
    if (claimed.length > 0) {
      await env.WEBHOOK_QUEUE.sendBatch(
        claimed.map(({ deliveryId, tenantId }) => ({ body: { deliveryId, tenantId, leasedUntil, at: now.toISOString() }, contentType: 'json' as const })),
      );
    }
    sent += claimed.length;
    if (claimed.length < CLAIM_BATCH || sent >= MAX_DISPATCH) return sent;
  }
}

/**
 * After a request whose write created deliveries: dispatch at once, after the response, so the
 * first attempt does not wait for the next minute's cron.
 */
export function dispatchSoon(env: DispatchEnv, ctx: { waitUntil(promise: Promise<unknown>): void }): void {
  ctx.waitUntil(
    dispatchWebhookDeliveries(env, { now: new Date() }).catch((error: unknown) =>
      // The per-minute cron dispatches what this missed.
      console.error(JSON.stringify({ level: 'error', message: 'webhook dispatch failed', error: String(error) })),
    ),
  );
}

export interface DeliveryBatchSummary {
  /** Messages whose attempt started, and how those ended. */
  attempted: number;
  succeeded: number;
  failed: number;
  /** Copies of messages already handled (their lease had moved on): acknowledged, nothing sent. */
  skipped: number;
}

/**
 * Delivers one Queue batch: per tenant, one round trip starts the attempts (fenced by lease, see
 * `startAttempts`) and reads them, the signed POSTs go out concurrently, one more records the
 * outcomes with their backoff and any endpoint disabling. Retries of failed deliveries are not
 * Queue retries: the outcome sets `next_attempt_at` in the outbox and a later dispatch sends it
 * again, so the backoff follows the outbox's clock, survives any Queue, and the 10-hour steps stay
 * within reach. Throws (the caller retries the tenant's messages) only when the database fails.
 */
export async function deliverMessages(env: WebhookEnv, messages: readonly DeliveryMessage[]): Promise<DeliveryBatchSummary> {
  const db = createDatabase(env);
  const byTenant = new Map<string, DeliveryMessage[]>();
  for (const message of messages) byTenant.set(message.tenantId, [...(byTenant.get(message.tenantId) ?? []), message]);
  const runId = uuidv7();
  const send = limitConcurrency(MAX_CONCURRENT_SENDS);
  const outcomes = await Promise.all([...byTenant].map(([tenantId, group]) => deliverForTenant(db, env, tenantId, group, runId, send)));
  const all = outcomes.flat();
  const succeeded = all.filter((o) => o.status === 'succeeded').length;
  return { attempted: all.length, succeeded, failed: all.length - succeeded, skipped: messages.length - all.length };
}

async function deliverForTenant(
  db: Database,
  env: WebhookEnv,
  tenantId: string,
  messages: DeliveryMessage[],
  runId: string,
  send: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<AttemptOutcome[]> {
  // The dispatcher's clock (the cron's scheduled time, which tests move), not the consumer's: backoff and streaks follow it.
  const now = new Date(Math.max(...messages.map((message) => Date.parse(message.at))));
  const due = await startAttempts(db, tenantId, messages, new Date(Math.max(now.getTime(), Date.now()) + ATTEMPT_LEASE_MS));
  if (due.length === 0) return [];
  const outcomes = await Promise.all(due.map((delivery) => send(() => attempt(env, delivery, now))));
  await recordOutcomes(db, tenantId, outcomes, { now, disableAfterMs: DISABLE_AFTER_MS, requestId: `webhook-delivery:${runId}` });
  return outcomes;
}

/**
 * Runs at most `max` tasks at once. A Worker invocation keeps 6 connections open at a time and
 * queues further fetches; an attempt's 10-second timeout starts when it is called, so a queued
 * attempt would time out behind slow receivers without ever being sent.
 */
function limitConcurrency(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limited<T>(task: () => Promise<T>): Promise<T> {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * Records dead letters (messages the Queue gave up on after its retries) as failed attempts of
 * their deliveries, with the usual backoff and disabling: otherwise a message that can never be
 * handled would leave its delivery pending, dispatched again and again. Returns how many it recorded.
 */
export async function recordDeadLetters(
  env: WebhookEnv,
  letters: readonly { deliveryId: string; tenantId: string }[],
  { now }: { now: Date },
): Promise<number> {
  const db = createDatabase(env);
  const byTenant = new Map<string, string[]>();
  for (const { deliveryId, tenantId } of letters) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), deliveryId]);
  const recorded = await Promise.all(
    [...byTenant].map(async ([tenantId, ids]) => {
      const outcomes = (await readDeliveries(db, tenantId, ids)).map(({ delivery, endpoint }) =>
        outcomeOf(delivery, endpoint.id, now, { statusCode: null, durationMs: 0, error: DEAD_LETTER_ERROR }),
      );
      if (outcomes.length > 0) await recordOutcomes(db, tenantId, outcomes, { now, disableAfterMs: DISABLE_AFTER_MS, requestId: `webhook-dead-letter:${uuidv7()}` });
      return outcomes.length;
    }),
  );
  return recorded.reduce((sum, count) => sum + count, 0);
}

async function attempt(env: WebhookEnv, { delivery, event, endpoint }: DueDelivery, now: Date): Promise<AttemptOutcome> {
  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    // Checked again at send time: the rules may have tightened since the endpoint was created.
    const check = checkOutboundUrl(endpoint.url, { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === 'true' });
    if (!check.ok) throw new Error(`URL refused: ${check.reason}`);
    const secrets = [await openSecret(env.HASH_SECRET, endpoint.id, endpoint.secretCiphertext)];
    if (endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      secrets.push(await openSecret(env.HASH_SECRET, endpoint.id, endpoint.previousSecretCiphertext));
    }
    const body = webhookBody(event);
    // The real clock, not `now`: receivers check the timestamp against theirs (5-minute window).
    const headers = await webhookHeaders(secrets, { id: event.id, timestamp: Math.floor(Date.now() / 1000), body });
    const response = await fetch(check.url, {
      method: 'POST',
      headers,
      body,
      // A redirect could lead anywhere, past the URL check: it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    statusCode = response.status;
    await response.body?.cancel();
    if (!isDelivered(statusCode)) error = `HTTP ${statusCode}`;
  } catch (caught) {
    error = (caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)).slice(0, MAX_ERROR_LENGTH);
  }
  return outcomeOf(delivery, endpoint.id, now, { statusCode, durationMs: Date.now() - started, error });
}

/** What an attempt makes of its delivery: delivered, retried after the backoff, or given up. */
function outcomeOf(
  delivery: DueDelivery['delivery'],
  endpointId: string,
  now: Date,
  result: Pick<AttemptOutcome, 'statusCode' | 'durationMs' | 'error'>,
): AttemptOutcome {
  const attempts = delivery.attempts + 1;
  const succeeded = result.error === null;
  const delay = succeeded ? null : retryDelayMs(attempts);
  return {
    ...result,
    deliveryId: delivery.id,
    endpointId,
    // The dispatcher's time, like the backoff and the 24-hour streak it is compared with.
    attemptedAt: now,
    status: succeeded ? 'succeeded' : delay === null || attempts >= MAX_ATTEMPTS ? 'abandoned' : 'pending',
    nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
  };
}

/** Daily: the outbox keeps finished events for WEBHOOK_RETENTION_DAYS, then drops them with their history. */
export async function pruneWebhookEvents(env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT'>, { now }: { now: Date }): Promise<number> {
  const db = createDatabase(env);
  const before = new Date(now.getTime() - WEBHOOK_RETENTION_DAYS * 86_400_000);
  let pruned = 0;
  // A day at 10,000 tenants writes about as many events as one call prunes: a few calls keep up, and drain a backlog.
  for (let call = 0; call < PRUNE_CALLS; call++) {
    const count = await pruneEvents(db, before, PRUNE_LIMIT);
    pruned += count;
    if (count < PRUNE_LIMIT) break;
  }
  return pruned;
}
