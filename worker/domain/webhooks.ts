/**
 * Standard Webhooks (https://www.standardwebhooks.com): the secret format, the signature and the
 * retry schedule, pure, so receivers' libraries (tests use the `standardwebhooks` package) can check
 * what the worker sends. Web Crypto only.
 */
import { fromBase64, toBase64 } from './base64.ts';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** 24 random bytes (192 bits), within the spec's 24-64. */
const SECRET_BYTES = 24;
const encoder = new TextEncoder();

/** `whsec_` + base64 of random bytes: the key is the decoded part after the prefix. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export interface SignedMessage {
  /** The event id: the same on every retry, for de-duplication. */
  id: string;
  /** Unix seconds of this attempt; receivers refuse it outside their window (5 minutes). */
  timestamp: number;
  body: string;
}

/** `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)). */
export async function signWebhook(secret: string, { id, timestamp, body }: SignedMessage): Promise<string> {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  const raw = fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/**
 * The request headers of one delivery attempt. With several secrets (during a rotation's grace
 * period) the signature header lists one signature per secret, space-separated, as the spec
 * allows: a receiver holding either secret verifies the message.
 */
export async function webhookHeaders(secrets: string | readonly string[], message: SignedMessage): Promise<Record<string, string>> {
  const signatures = await Promise.all((typeof secrets === 'string' ? [secrets] : secrets).map((secret) => signWebhook(secret, message)));
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'service-culture-webhooks/1',
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** The body every event has: `{ type, timestamp, data }`, the same bytes on every retry. */
export function webhookBody(event: { type: string; createdAt: Date; data: unknown }): string {
  return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.data });
}

/**
 * Seconds to wait before each retry, Standard Webhooks' suggested schedule: the first attempt at
 * once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 27.6 hours, so an
 * endpoint that keeps failing crosses the 24-hour disabling threshold before its deliveries run out.
 */
export const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** Jitter adds up to this share of the delay, so endpoints that failed together are not retried in lockstep. */
export const RETRY_JITTER = 0.1;
/** An endpoint whose every attempt failed for this long is disabled. */
export const DISABLE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Milliseconds until the retry after failed attempt number `attempts` (1-based), or null when the
 * delivery has had all its attempts. `random` in [0, 1).
 */
export function retryDelayMs(attempts: number, random: number = Math.random()): number | null {
  const base = RETRY_DELAYS_SECONDS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (1 + RETRY_JITTER * random));
}

/** 2xx is success; anything else, redirects included (they are not followed), is a failure. */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * One Queue message: a delivery the dispatcher leased. `leasedUntil` is the lease it set (the
 * delivery's `next_attempt_at`), so a consumer starts the attempt only while that lease is the
 * current one: a message the Queue delivers twice, or one overtaken by a later dispatch, finds the
 * lease changed and sends nothing. `at` is the dispatcher's clock (the cron's scheduled time), which
 * the attempt's time, backoff and 24-hour streak follow.
 */
export interface DeliveryMessage {
  deliveryId: string;
  tenantId: string;
  leasedUntil: string;
  at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Which delivery a message (or a dead letter) names, if it names one; its lease and clock may still be unusable. */
export function deliveryOf(body: unknown): { deliveryId: string; tenantId: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { deliveryId, tenantId } = body as Record<string, unknown>;
  if (typeof deliveryId !== 'string' || !UUID.test(deliveryId) || typeof tenantId !== 'string' || !UUID.test(tenantId)) return undefined;
  return { deliveryId, tenantId };
}

/** A well-formed delivery message, or undefined: a message from another version, or corrupt. */
export function parseDeliveryMessage(body: unknown): DeliveryMessage | undefined {
  const delivery = deliveryOf(body);
  if (!delivery) return undefined;
  const { leasedUntil, at } = body as Record<string, unknown>;
  if (!isInstant(leasedUntil) || !isInstant(at)) return undefined;
  return { ...delivery, leasedUntil, at };
}
