import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { runScheduled } from './jobs/scheduled.ts';
import { runQueue } from './jobs/webhook-queue.ts';

// The Workflow classes wrangler.toml's `[[workflows]]` name must be exports of the entry module.
export { BenchmarkWorkflow } from './workflows/benchmarks.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
  queue: runQueue,
} satisfies ExportedHandler<Env>;
