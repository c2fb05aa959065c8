import type { Env } from '../env.ts';
import { startBenchmarkRun } from './benchmarks.ts';
import { runTargetCrossings } from './targets.ts';
import { pruneWebhookEvents, runWebhookDeliveries } from './webhooks.ts';

/** wrangler.toml's per-minute cron; the other one (`15 2 * * *`) is the daily work. */
export const WEBHOOK_CRON = '* * * * *';

/**
 * Cron entry, dispatched by the cron that fired. Every minute: the webhook deliveries that are due.
 * Daily: a run of the benchmark Workflow for the last complete month and quarter (started here, done
 * by the engine), the target evaluation and the pruning of old webhook events. All take the scheduled time as "now", so tests can drive the clock.
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  if (controller.cron === WEBHOOK_CRON) {
    const summary = await runWebhookDeliveries(env, { now });
    if (summary.claimed > 0) console.log(JSON.stringify({ level: 'info', message: 'webhook deliveries', cron: controller.cron, ...summary }));
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
  const pruned = await pruneWebhookEvents(env, { now });
  console.log(JSON.stringify({ level: 'info', message: 'webhook events pruned', cron: controller.cron, pruned }));
}
