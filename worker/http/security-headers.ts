import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env.ts';

/**
 * hono's defaults (nosniff, HSTS, Referrer-Policy: no-referrer, CORP/COOP...), framing refused
 * outright, and `Cache-Control: no-store` unless the route chose its own: most answers are a
 * tenant's data, which no shared cache may keep. The CSP names only `frame-ancestors`, so /docs
 * can still load its script from a CDN.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const secure = secureHeaders({ xFrameOptions: 'DENY', contentSecurityPolicy: { frameAncestors: ["'none'"] } });
  return async function securityHeaders(c, next) {
    await secure(c, next);
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
