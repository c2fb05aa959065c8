import type { MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env.ts';

/** The API reference page, the only HTML the worker serves. */
export const DOCS_PATH = '/docs';

/**
 * hono's defaults (nosniff, HSTS, Referrer-Policy: no-referrer, CORP/COOP...), framing refused
 * outright, and `Cache-Control: no-store` unless the route chose its own: most answers are a
 * tenant's data, which no shared cache may keep. JSON needs no more CSP than `frame-ancestors`.
 * /docs gets a real policy: Scalar's bundle from this origin (a static asset) and its inline start-up
 * script by nonce; 'unsafe-inline' styles because the bundle injects its stylesheets at run time;
 * `connect-src 'self'` lets "try it" call this API and nothing else.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const common = { xFrameOptions: 'DENY' } as const;
  const secure = secureHeaders({ ...common, contentSecurityPolicy: { frameAncestors: ["'none'"] } });
  const secureDocs = secureHeaders({
    ...common,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'", NONCE],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
  return async function securityHeaders(c, next) {
    await (c.req.path === DOCS_PATH ? secureDocs : secure)(c, next);
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
