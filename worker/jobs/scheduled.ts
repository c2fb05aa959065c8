import type { Env } from '../env.ts';
import { runBenchmarkJob } from './benchmarks.ts';

/** Cron entry (wrangler.toml): the benchmark snapshots of the last complete month and quarter. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const run = await runBenchmarkJob(env, { trigger: 'cron', now: new Date(controller.scheduledTime) });
  console.log(JSON.stringify({ level: 'info', message: 'scheduled', cron: controller.cron, jobRunId: run.id, status: run.status }));
}
