import type { App } from './app.ts';
import type { Env } from './env.ts';
import { createLivenessApp, isLivenessProbe } from './routes/health/liveness.ts';

// The Workflow classes wrangler.toml's `[[workflows]]` name must be exports of the entry module.
export { BenchmarkWorkflow } from './workflows/benchmarks.ts';

// Startup runs only this module's light imports: the API's modules (zod schemas, the OpenAPI registry,
// drizzle's tables, the Neon driver) are evaluated on the first request that needs them. A dynamic
// import() within the bundle is a lazily initialised module under esbuild, not a separate file.
const liveness = createLivenessApp();
let api: Promise<App> | undefined;
const loadApi = () => (api ??= import('./app.ts').then(({ createApp }) => createApp()));

export default {
  async fetch(request, env, ctx) {
    if (isLivenessProbe(request)) return liveness.fetch(request, env, ctx);
    return (await loadApi()).fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(import('./jobs/scheduled.ts').then(({ runScheduled }) => runScheduled(controller, env)));
  },
  async queue(batch, env) {
    const { runQueue } = await import('./jobs/webhook-queue.ts');
    await runQueue(batch, env);
  },
} satisfies ExportedHandler<Env>;
