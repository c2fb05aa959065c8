import type { MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env.ts';

/** The API reference page, the only HTML the worker serves. */
export const DOCS_PATH = '/docs';
/** The dashboard's pages (worker/routes/dashboard). */
const DASHBOARD_PATH = '/dashboard';

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
  // The dashboard's pages: no script at all, its one stylesheet and inline SVG from this origin, forms
  // only to itself. `same-origin` referrers, because under `no-referrer` a browser sends `Origin: null`
  // with the dashboard's own form posts, and their CSRF check compares the Origin.
  const secureDashboard = secureHeaders({
    ...common,
    referrerPolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
  return async function securityHeaders(c, next) {
    const policy = c.req.path === DOCS_PATH ? secureDocs : c.req.path.startsWith(DASHBOARD_PATH) ? secureDashboard : secure;
    await policy(c, next);
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
