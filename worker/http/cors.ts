import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { documentOperations, withResponseHeaders } from './openapi.ts';
import type { AppRouter } from './router.ts';

const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
const EXPOSED_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Location', 'Content-Disposition'];
/** Seconds a browser may reuse a preflight answer; Chromium caps it at 7200. */
const PREFLIGHT_MAX_AGE = 7200;

/**
 * CORS for partner browser apps, allowed per tenant (`allowedOrigins`).
 *
 * A preflight carries no credentials, so the tenant is unknown then: it is answered for any origin
 * on any path that exists (the not-found handler answers OPTIONS there with 204 and `Allow`). That
 * grants nothing: the API takes bearer tokens, never cookies, so a page can only send a token its
 * own script holds, and it can read the actual response only if that response names its origin,
 * which happens only when the authenticated tenant listed it. Never `*`, never credentials.
 */
export function cors(): MiddlewareHandler<AppEnv> {
  return async function cors(c, next) {
    await next();
    c.header('Vary', 'Origin', { append: true });
    const origin = c.req.header('Origin');
    if (!origin) return;

    const preflight = c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method') !== undefined;
    if (preflight) {
      const allow = c.res.headers.get('Allow');
      if (c.res.status !== 204 || !allow) return;
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Methods', allow);
      c.header('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(', '));
      c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
      return;
    }

    const principal = c.get('principal');
    if (principal?.kind === 'tenant' && principal.tenant.allowedOrigins.includes(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
    }
  };
}

/** Where `cors()` runs (app.ts). */
export const CORS_PATHS = ['/v1/*'] as const;

/** Documents the CORS answer on every operation under `CORS_PATHS`; call before the routers are mounted. */
export function documentCors(app: AppRouter): void {
  documentOperations(
    app,
    CORS_PATHS.map((path) => path.slice(0, -1)),
    (route) => ({
      ...route,
      responses: withResponseHeaders(route.responses, {
        'Access-Control-Allow-Origin': {
          description: "The request's Origin, only when it is one of the tenant's `allowedOrigins` (never `*`).",
          schema: { type: 'string', format: 'uri', maxLength: 255 },
        },
      }),
    }),
  );
}
