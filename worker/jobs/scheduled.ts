import type { Env } from '../env.ts';
import { startBenchmarkRun } from './benchmarks.ts';
import { runTargetCrossings } from './targets.ts';
import { dispatchWebhookDeliveries, pruneWebhookEvents } from './webhooks.ts';

/** wrangler.toml's per-minute cron; the other one (`15 2 * * *`) is the daily work. */
export const WEBHOOK_CRON = '* * * * *';

/**
 * Cron entry, dispatched by the cron that fired. Every minute: the webhook deliveries that are due go
 * onto the Queue (its consumer sends them).
 * Daily: a run of the benchmark Workflow for the last complete month, quarter and 12 whole months (started here, done
 * by the engine), the target evaluation and the pruning of old webhook events. All take the scheduled
 * time as "now", so tests can drive the clock.
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  if (controller.cron === WEBHOOK_CRON) {
    const dispatched = await dispatchWebhookDeliveries(env, { now });
    if (dispatched > 0) console.log(JSON.stringify({ level: 'info', message: 'webhook deliveries dispatched', cron: controller.cron, dispatched }));
    return;
  }
  try {
    const run = await startBenchmarkRun(env, { trigger: 'cron', now });
    console.log(JSON.stringify({ level: 'info', message: 'scheduled', cron: controller.cron, jobRunId: run.id, status: run.status }));
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'benchmark run did not start', cron: controller.cron, error: String(error) }));
  }
  // Independent of the benchmarks: a benchmark run that did not start does not hold targets back.
  const targets = await runTargetCrossings(env, { now });
  console.log(JSON.stringify({ level: 'info', message: 'target evaluation', cron: controller.cron, ...targets }));
  // The events both wrote go out now, not at the next minute's dispatch.
  await dispatchWebhookDeliveries(env, { now });
  const pruned = await pruneWebhookEvents(env, { now });
  console.log(JSON.stringify({ level: 'info', message: 'webhook events pruned', cron: controller.cron, pruned }));
}
