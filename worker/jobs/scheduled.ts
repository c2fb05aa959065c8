import type { Env } from '../env.ts';
import { runBenchmarkJob } from './benchmarks.ts';
import { runTargetCrossings } from './targets.ts';
import { runWebhookDeliveries } from './webhooks.ts';

/** wrangler.toml's crons: which job each one runs. */
export const BENCHMARK_CRON = '15 2 * * *';
export const WEBHOOK_CRON = '* * * * *';

/**
 * Cron entry, dispatched by the cron that fired: daily, the benchmark snapshots of the last complete
 * month and quarter and the target evaluation; every minute, the webhook deliveries that are due. Both take the scheduled
 * time as "now", so tests can drive the clock.
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  if (controller.cron === WEBHOOK_CRON) {
    const summary = await runWebhookDeliveries(env, { now });
    if (summary.claimed > 0) console.log(JSON.stringify({ level: 'info', message: 'webhook deliveries', cron: controller.cron, ...summary }));
    return;
  }
  const run = await runBenchmarkJob(env, { trigger: 'cron', now });
  console.log(JSON.stringify({ level: 'info', message: 'scheduled', cron: controller.cron, jobRunId: run.id, status: run.status }));
  // Independent of the benchmarks: a failed benchmark run does not hold targets back.
  const targets = await runTargetCrossings(env, { now });
  console.log(JSON.stringify({ level: 'info', message: 'target evaluation', cron: controller.cron, ...targets }));
}
