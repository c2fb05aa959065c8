import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

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
