import type { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppEnv } from '../env.ts';
import { drainRequestBody } from './drain-body.ts';
import { requestLog } from './log.ts';
import { securityHeaders } from './security-headers.ts';

/** Largest request body accepted on /v1, in bytes; batch endpoints (`…/batch`) take up to 5 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The middleware every answer passes, first and in this order: the request id, the drained body, the
 * request log and the security headers. Light on purpose (Hono and a few small modules): the liveness
 * probe runs it without the rest of the API (routes/health/liveness.ts).
 */
export function useRequestBasics(app: Hono<AppEnv, any, any>): void {
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(async function serverRequestId(c, next) {
    // hono echoes a valid client X-Request-Id as the request's id; the audit log must not take an id a
    // client chose, so the server makes its own and keeps the client's apart (labelled as the client's).
    const sent = c.req.header('X-Request-Id');
    if (sent !== undefined && sent === c.get('requestId')) {
      c.set('clientRequestId', sent);
      c.set('requestId', crypto.randomUUID());
    }
    await next();
  });
  // Outermost after the id, so it sees the final answer to every request, errors included.
  app.use(drainRequestBody({ maxBytes: MAX_BATCH_BODY_BYTES }));
  app.use(requestLog());
  app.use(securityHeaders());
}
