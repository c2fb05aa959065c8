import type { MiddlewareHandler } from 'hono';

export interface DrainBodyOptions {
  /** Read at most this much of an unread body; past it the connection is given up (cancelled). */
  maxBytes: number;
}

/**
 * Reads what is left of a request body the answer did not need (an early 401, 415, 429 or 503).
 * workerd closes a keep-alive connection whose request body went unread, without saying
 * `Connection: close`, so a client that reuses the connection for its retry gets a reset
 * ("socket hang up") instead of an answer; most clients do not retry a POST after that.
 */
export function drainRequestBody({ maxBytes }: DrainBodyOptions): MiddlewareHandler {
  return async function drainRequestBody(c, next) {
    // The original: bodyLimit may wrap it in a new Request, which reading still disturbs.
    const request = c.req.raw;
    await next();
    if (!request.body || request.bodyUsed) return;
    try {
      const reader = request.body.getReader();
      for (let read = 0; read <= maxBytes; ) {
        const { done, value } = await reader.read();
        if (done) return;
        read += value.byteLength;
      }
      await reader.cancel();
    } catch {
      // Locked by a reader that gave up, or the client went away: nothing left to keep alive.
    }
  };
}
