import { deliveryOf, parseDeliveryMessage } from '../domain/webhooks.ts';
import type { Env } from '../env.ts';
import { deliverMessages, recordDeadLetters } from './webhooks.ts';

/** wrangler.toml's `[[queues.consumers]]`: the delivery queue and its dead-letter queue. */
export const WEBHOOK_QUEUE_NAME = 'webhook-deliveries';
export const WEBHOOK_DEAD_LETTER_QUEUE_NAME = 'webhook-deliveries-dlq';

const log = (level: 'info' | 'error', message: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ level, message, ...fields }));

/** Queue entry: the delivery queue's batches are delivered, the dead-letter queue's recorded. */
export async function runQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === WEBHOOK_QUEUE_NAME) return deliverBatch(batch, env);
  if (batch.queue === WEBHOOK_DEAD_LETTER_QUEUE_NAME) return recordDeadLetterBatch(batch, env);
  log('error', 'message from an unknown queue', { queue: batch.queue, messages: batch.messages.length });
}

/**
 * Each message is acknowledged or retried on its own: a malformed one is retried until the Queue
 * dead-letters it (after `max_retries`), and a database failure retries only its tenant's messages
 * (their attempts did not start, or will not start twice: see `startAttempts`).
 */
async function deliverBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const byTenant = new Map<string, { message: Message<unknown>; body: NonNullable<ReturnType<typeof parseDeliveryMessage>> }[]>();
  for (const message of batch.messages) {
    const body = parseDeliveryMessage(message.body);
    if (!body) {
      log('error', 'malformed webhook delivery message', { id: message.id, attempts: message.attempts });
      message.retry();
      continue;
    }
    byTenant.set(body.tenantId, [...(byTenant.get(body.tenantId) ?? []), { message, body }]);
  }
  await Promise.all(
    [...byTenant.values()].map(async (group) => {
      try {
        const summary = await deliverMessages(
          env,
          group.map(({ body }) => body),
        );
        for (const { message } of group) message.ack();
        log('info', 'webhook deliveries', { queue: batch.queue, ...summary });
      } catch (error) {
        log('error', 'webhook delivery failed; retried by the Queue', { error: String(error), messages: group.length });
        for (const { message } of group) message.retry();
      }
    }),
  );
}

async function recordDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const letters = [];
  for (const message of batch.messages) {
    const delivery = deliveryOf(message.body);
    // Nothing in the outbox to record it on: the log is its record.
    if (!delivery) log('error', 'dead letter names no delivery', { id: message.id, body: JSON.stringify(message.body)?.slice(0, 500) });
    else letters.push(delivery);
  }
  const recorded = await recordDeadLetters(env, letters, { now: new Date() });
  log('error', 'webhook dead letters recorded', { queue: batch.queue, messages: batch.messages.length, recorded });
}
