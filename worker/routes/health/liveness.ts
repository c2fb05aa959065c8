import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../env.ts';
import { useRequestBasics } from '../../http/basics.ts';

/** `GET /health`'s answer; the API's health router serves the same handler (handlers.ts). */
export const liveness = (c: Context<AppEnv>) => c.json({ status: 'ok' as const }, 200);

/** Whether `request` is the liveness probe, which the worker answers without building the API. */
export const isLivenessProbe = (request: Request): boolean =>
  (request.method === 'GET' || request.method === 'HEAD') && new URL(request.url).pathname === '/health';

/**
 * `GET /health` alone, with the same request basics as the whole API (the request id, the log line,
 * the security headers), so a probe answers the same without loading the API's modules and schemas.
 */
export function createLivenessApp() {
  const app = new Hono<AppEnv>();
  useRequestBasics(app);
  app.get('/health', liveness);
  // Only the basics can throw here; their answer is the API's, loaded when it is needed.
  app.onError(async (error, c) => (await import('../../http/errors.ts')).handleError(error, c));
  return app;
}
