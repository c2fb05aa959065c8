import { createDatabase, type Database } from '../db/client.ts';
import { type AttemptOutcome, claimDeliveries, type DueDelivery, pruneEvents, readDeliveries, recordOutcomes } from '../db/webhooks.ts';
import { uuidv7 } from '../domain/ids.ts';
import { checkOutboundUrl } from '../domain/outbound-url.ts';
import { openSecret } from '../domain/secret-box.ts';
import { DISABLE_AFTER_MS, isDelivered, MAX_ATTEMPTS, retryDelayMs, webhookBody, webhookHeaders } from '../domain/webhooks.ts';
import type { Env } from '../env.ts';

/** Deliveries per run: each is one subrequest, and a Worker invocation may make 50 (free plan) or 1,000. */
export const DELIVERY_BATCH = 40;
/** How long one attempt may take before it counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** A claimed delivery is not claimed again for this long: longer than a run can take, so runs never overlap on it. */
const LEASE_SECONDS = 120;
const MAX_ERROR_LENGTH = 500;
/** How long finished events, their deliveries and attempts stay listed: well past the 28 hours of retries. */
export const WEBHOOK_RETENTION_DAYS = 30;
/** Events pruned per daily run, so one run stays short; a backlog drains over days. */
const PRUNE_LIMIT = 10_000;

export type WebhookEnv = Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT' | 'HASH_SECRET' | 'WEBHOOK_ALLOW_LOOPBACK'>;

export interface DeliveryRunSummary {
  claimed: number;
  succeeded: number;
  failed: number;
}

/**
 * Sends the deliveries due at `now` (the cron's scheduled time, so tests can move the clock): leases
 * a bounded batch across tenants, then per tenant reads them (one round trip), POSTs each signed
 * event in parallel, and records the outcomes (one more). At least once: a run that dies after
 * sending but before recording sends again when the lease ends; receivers de-duplicate by
 * `webhook-id`, the event id.
 */
export async function runWebhookDeliveries(env: WebhookEnv, { now }: { now: Date }): Promise<DeliveryRunSummary> {
  const db = createDatabase(env);
  const claimed = await claimDeliveries(db, now, DELIVERY_BATCH, LEASE_SECONDS);
  const byTenant = new Map<string, string[]>();
  for (const { deliveryId, tenantId } of claimed) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), deliveryId]);
  const runId = uuidv7();
  const outcomes = await Promise.all([...byTenant].map(([tenantId, ids]) => deliverForTenant(db, env, tenantId, ids, now, runId)));
  const all = outcomes.flat();
  return { claimed: claimed.length, succeeded: all.filter((o) => o.status === 'succeeded').length, failed: all.filter((o) => o.status !== 'succeeded').length };
}

async function deliverForTenant(db: Database, env: WebhookEnv, tenantId: string, ids: string[], now: Date, runId: string): Promise<AttemptOutcome[]> {
  const due = await readDeliveries(db, tenantId, ids);
  const outcomes = await Promise.all(due.map((delivery) => attempt(env, delivery, now)));
  await recordOutcomes(db, tenantId, outcomes, { now, disableAfterMs: DISABLE_AFTER_MS, requestId: `webhook-delivery:${runId}` });
  return outcomes;
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
  const attempts = delivery.attempts + 1;
  const succeeded = error === null;
  const delay = succeeded ? null : retryDelayMs(attempts);
  return {
    deliveryId: delivery.id,
    endpointId: endpoint.id,
    // The run's scheduled time, like the backoff and the 24-hour streak it is compared with.
    attemptedAt: now,
    statusCode,
    durationMs: Date.now() - started,
    error,
    status: succeeded ? 'succeeded' : delay === null || attempts >= MAX_ATTEMPTS ? 'abandoned' : 'pending',
    nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
  };
}

/** Daily: the outbox keeps finished events for WEBHOOK_RETENTION_DAYS, then drops them with their history. */
export async function pruneWebhookEvents(env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT'>, { now }: { now: Date }): Promise<number> {
  return pruneEvents(createDatabase(env), new Date(now.getTime() - WEBHOOK_RETENTION_DAYS * 86_400_000), PRUNE_LIMIT);
}
