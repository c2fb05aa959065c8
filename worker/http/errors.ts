import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { RouterRoute } from 'hono/types';
import { databaseTimeoutMs } from '../db/client.ts';
import { describeError, isDatabaseTimeout, isDatabaseUnavailable } from '../db/errors.ts';
import type { AppEnv } from '../env.ts';
import { log } from './log.ts';
import { ProblemError, problemResponse, type ProblemName } from './problem.ts';

/** Seconds a client should wait before retrying while the database is unreachable. */
const RETRY_AFTER_SECONDS = 5;

/** Hono's own 4xx (malformed JSON from its validator, for one) keep their status and message. */
const PROBLEM_BY_STATUS: Partial<Record<number, ProblemName>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
};

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error);
  // A refused authentication reaches the handler through the query it led (http/auth.ts), wrapped by drizzle.
  if (error.cause instanceof ProblemError) return problemResponse(c, error.cause);
  if (error instanceof HTTPException && PROBLEM_BY_STATUS[error.status]) {
    return problemResponse(c, new ProblemError(PROBLEM_BY_STATUS[error.status]!, error.message || 'Bad request.'));
  }
  // Before the unavailable check: the driver words a timeout like a failed connection.
  if (isDatabaseTimeout(error)) {
    log(c, 'warn', 'database timeout', { error: describeError(error) });
    return problemResponse(
      c,
      new ProblemError(
        'databaseTimeout',
        `The database did not answer within ${databaseTimeoutMs(c.env)} ms. A write may or may not have been applied: ` +
          `retry after ${RETRY_AFTER_SECONDS} seconds with the same Idempotency-Key, which replays it if it was.`,
        { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
      ),
    );
  }
  if (isDatabaseUnavailable(error)) {
    log(c, 'warn', 'database unavailable', { error: describeError(error) });
    return problemResponse(
      c,
      new ProblemError('unavailable', `The database cannot be reached; retry after ${RETRY_AFTER_SECONDS} seconds.`, {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      }),
    );
  }
  log(c, 'error', 'unhandled error', { error: describeError(error) });
  return problemResponse(
    c,
    new ProblemError('internal', 'An unexpected error occurred. Quote the instance (request id) when reporting it.'),
  );
};

type CompiledRoute = { method: string; pattern: RegExp };

/** Hono path syntax to a RegExp: `:name` and `:name{regex}` match one segment, `*` the rest. */
function compilePath(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Hono answers an unknown method with its not-found handler, so this tells 404 from 405 by asking
 * which methods the routes table serves for the path. Middleware is registered as `ALL` and skipped.
 */
export function createNotFoundHandler(routes: () => RouterRoute[]): NotFoundHandler<AppEnv> {
  let compiled: CompiledRoute[] | undefined;
  return function notFound(c: Context<AppEnv>) {
    compiled ??= routes()
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ method: route.method, pattern: compilePath(route.path) }));
    const allowed = [...new Set(compiled.filter((r) => r.pattern.test(c.req.path)).map((r) => r.method))];
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      // OPTIONS asks what the resource allows (RFC 9110 §9.3.7); CORS preflights are such requests.
      if (c.req.method === 'OPTIONS') return c.body(null, 204, { Allow: [...allowed, 'OPTIONS'].join(', ') });
      return problemResponse(
        c,
        new ProblemError('methodNotAllowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}.`, {
          headers: { Allow: allowed.join(', ') },
        }),
      );
    }
    return problemResponse(c, new ProblemError('notFound', `No route matches ${c.req.method} ${c.req.path}.`));
  };
}
