import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../env.ts';
import { ProblemError } from '../../http/problem.ts';
import type { InternalFetch } from './data.ts';
import { createHandlers } from './handlers.ts';
import { DASHBOARD_PATH } from './session.ts';
import { STYLESHEET } from './style.ts';

/**
 * /dashboard: server-rendered pages for a tenant admin, read through the worker's own JSON API
 * (`fetcher`), so every suppression and access rule is the API's. Not part of the OpenAPI document.
 * The page modules load on first use, off the worker's start-up path.
 */
export function dashboardRouter(fetcher: InternalFetch) {
  const handlers = createHandlers(fetcher);
  const form = bodyLimit({
    maxSize: 4096,
    onError: () => {
      throw new ProblemError('payloadTooLarge', 'A dashboard form is at most 4096 bytes.');
    },
  });
  return new Hono<AppEnv>()
    .get(DASHBOARD_PATH, handlers.show)
    .post(`${DASHBOARD_PATH}/session`, form, handlers.signIn)
    .post(`${DASHBOARD_PATH}/sign-out`, form, handlers.signOut)
    .get(`${DASHBOARD_PATH}/style.css`, (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));
}
