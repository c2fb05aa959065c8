import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../env.ts';

type Level = 'info' | 'warn' | 'error';

/** One JSON object per line, so Workers Logs and `wrangler tail` can filter on any field. */
export function log(c: Context<AppEnv>, level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, requestId: c.get('requestId'), clientRequestId: c.get('clientRequestId'), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** Logs each request once, after the response: method, route template, status, duration, tenant. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const principal = c.get('principal');
    const route = routePath(c, -1);
    // 503 is the database being away, reported where it is detected; other 5xx are bugs.
    const level = c.res.status === 503 ? 'warn' : c.res.status >= 500 ? 'error' : 'info';
    log(c, level, 'request', {
      method: c.req.method,
      // The matched template, not the raw path, so ids do not explode log cardinality.
      route: route === '*' || route === '/*' ? null : route,
      status: c.res.status,
      durationMs: Date.now() - started,
      tenantId: principal?.kind === 'tenant' ? principal.tenant.id : undefined,
    });
  };
}
