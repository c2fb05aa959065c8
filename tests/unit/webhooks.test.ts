import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { openSecret, sealSecret } from '../../worker/domain/secret-box.ts';
import {
  deliveryOf,
  DISABLE_AFTER_MS,
  generateWebhookSecret,
  isDelivered,
  MAX_ATTEMPTS,
  parseDeliveryMessage,
  RETRY_DELAYS_SECONDS,
  RETRY_JITTER,
  retryDelayMs,
  signWebhook,
  webhookBody,
  webhookHeaders,
} from '../../worker/domain/webhooks.ts';

const event = { type: 'api_key.revoked', createdAt: new Date('2026-11-23T10:00:00Z'), data: { apiKey: { id: 'k1' } } };
const id = '019a0000-0000-7000-8000-000000000001';

describe('Standard Webhooks signing', () => {
  test('secrets are whsec_ + base64 of 24 random bytes, each new', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  test('the signature is v1, + base64 HMAC-SHA256 of id.timestamp.body under the decoded key', async () => {
    const secret = generateWebhookSecret();
    const body = webhookBody(event);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.1700000000.${body}`).digest('base64');
    expect(await signWebhook(secret, { id, timestamp: 1700000000, body })).toBe(`v1,${expected}`);
  });

  test('the standardwebhooks library verifies what we send, and refuses tampering and stale timestamps', async () => {
    const secret = generateWebhookSecret();
    const body = webhookBody(event);
    const now = Math.floor(Date.now() / 1000);
    const headers = await webhookHeaders(secret, { id, timestamp: now, body });
    expect(headers).toMatchObject({ 'Content-Type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(now) });
    const receiver = new Webhook(secret);
    expect(receiver.verify(body, headers)).toEqual({ type: event.type, timestamp: '2026-11-23T10:00:00.000Z', data: event.data });
    expect(() => receiver.verify(body.replace('k1', 'k2'), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    // Outside the 5-minute replay window.
    const stale = await webhookHeaders(secret, { id, timestamp: now - 6 * 60, body });
    expect(() => receiver.verify(body, stale)).toThrow(/timestamp/i);
  });

  test('during a rotation both secrets sign, space-separated, and either verifies', async () => {
    const [next, old] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = webhookBody(event);
    const headers = await webhookHeaders([next, old], { id, timestamp: Math.floor(Date.now() / 1000), body });
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(() => new Webhook(next).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  test('the body is { type, timestamp, data }, the same bytes on every retry', () => {
    expect(JSON.parse(webhookBody(event))).toEqual({ type: event.type, timestamp: '2026-11-23T10:00:00.000Z', data: event.data });
    expect(webhookBody(event)).toBe(webhookBody(structuredClone(event)));
  });

  test('a secret without the whsec_ prefix is refused', async () => {
    await expect(signWebhook('c2VjcmV0', { id, timestamp: 1, body: '{}' })).rejects.toThrow(/whsec_/);
  });
});

describe('retry schedule', () => {
  test('Standard Webhooks’ suggested delays, then no more: eight attempts', () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(RETRY_DELAYS_SECONDS.map((_, i) => retryDelayMs(i + 1, 0))).toEqual(RETRY_DELAYS_SECONDS.map((s) => s * 1000));
    expect(retryDelayMs(MAX_ATTEMPTS, 0)).toBeNull();
  });

  test('jitter adds at most 10%', () => {
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const base = RETRY_DELAYS_SECONDS[attempt - 1]! * 1000;
      expect(retryDelayMs(attempt, 0.999_999)!).toBeLessThanOrEqual(base * (1 + RETRY_JITTER));
      expect(retryDelayMs(attempt)!).toBeGreaterThanOrEqual(base);
    }
  });

  test('the schedule outlasts the 24-hour disabling threshold, so a dead endpoint is disabled before its deliveries run out', () => {
    const total = RETRY_DELAYS_SECONDS.reduce((sum, s) => sum + s, 0) * 1000;
    expect(total).toBeGreaterThan(DISABLE_AFTER_MS);
    expect(total - RETRY_DELAYS_SECONDS.at(-1)! * 1000).toBeLessThan(DISABLE_AFTER_MS);
  });

  test('only 2xx is delivered; redirects are failures', () => {
    expect([200, 201, 204, 299].every(isDelivered)).toBe(true);
    expect([199, 301, 302, 307, 400, 410, 500, 503].some(isDelivered)).toBe(false);
  });
});

describe('secrets at rest', () => {
  test('seal and open round-trip; the ciphertext differs each time and hides the secret', async () => {
    const secret = generateWebhookSecret();
    const a = await sealSecret('master', 'endpoint-1', secret);
    const b = await sealSecret('master', 'endpoint-1', secret);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6));
    expect(a).toMatch(/^v1\./);
    expect(await openSecret('master', 'endpoint-1', a)).toBe(secret);
  });

  test('another master secret, another row, or a tampered ciphertext cannot open it', async () => {
    const sealed = await sealSecret('master', 'endpoint-1', 'whsec_x');
    await expect(openSecret('other', 'endpoint-1', sealed)).rejects.toThrow();
    await expect(openSecret('master', 'endpoint-2', sealed)).rejects.toThrow();
    const [v, iv, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0]! ^= 1;
    await expect(openSecret('master', 'endpoint-1', `${v}.${iv}.${flipped.toString('base64')}`)).rejects.toThrow();
  });
});

describe('Queue messages', () => {
  const message = {
    deliveryId: '0192f3a4-5b6c-7d8e-9f00-112233445566',
    tenantId: '0192f3a4-5b6c-7d8e-9f00-665544332211',
    leasedUntil: '2026-12-03T16:05:00.000Z',
    at: '2026-12-03T16:00:00.000Z',
  };

  test('a well-formed message parses to itself', () => {
    expect(parseDeliveryMessage(message)).toEqual(message);
  });

  test.each([
    ['no object', 'delivery'],
    ['null', null],
    ['a delivery id that is no uuid', { ...message, deliveryId: '1; drop table' }],
    ['no tenant', { ...message, tenantId: undefined }],
    ['a lease that is no time', { ...message, leasedUntil: 'soon' }],
    ['no clock', { ...message, at: 42 }],
  ])('%s is refused (the consumer retries it until it is dead-lettered)', (_, body) => {
    expect(parseDeliveryMessage(body)).toBeUndefined();
  });

  test('a dead letter names its delivery when its ids are sound, whatever the rest', () => {
    expect(deliveryOf({ ...message, leasedUntil: 'soon' })).toEqual({ deliveryId: message.deliveryId, tenantId: message.tenantId });
    expect(deliveryOf({ deliveryId: message.deliveryId })).toBeUndefined();
  });
});
