import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { RouterRoute } from 'hono/types';
import { databaseTimeoutMs } from '../db/client.ts';
import { describeError, isDatabaseTimeout, isDatabaseUnavailable, isTransactionConflict, isTypedError, neonLimitOf, type TypedError } from '../db/errors.ts';
import { IDEMPOTENCY_WINDOW } from '../db/idempotency.ts';
import { NEON_MAX_REQUEST_BYTES } from '../db/neon-limits.ts';
import type { AppEnv } from '../env.ts';
import { IDEMPOTENCY_HEADER } from './idempotency.ts';
import { log } from './log.ts';
import { type FieldError, ProblemError, problemResponse, type ProblemName } from './problem.ts';

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

/**
 * The body's `unitId` fields (top level, or of `items`) that name one of `unitIds`, as field errors:
 * a refused unit is reported where the request named it.
 */
function unitFieldErrors(c: Context<AppEnv>, unitIds: readonly string[], reason: string): { errors?: FieldError[] } {
  const offending = new Set(unitIds);
  let body: unknown;
  try {
    body = c.req.valid('json' as never);
  } catch {
    return {};
  }
  const { unitId, items } = (body ?? {}) as { unitId?: unknown; items?: unknown };
  const named = Array.isArray(items)
    ? items.map((item, index) => [`/items/${index}/unitId`, (item as { unitId?: unknown } | null)?.unitId] as const)
    : [['/unitId', unitId] as const];
  const errors = named.flatMap(([pointer, id]) =>
    typeof id === 'string' && offending.has(id) ? [{ location: 'body' as const, pointer, detail: `${reason}: ${id}` }] : [],
  );
  return errors.length > 0 ? { errors } : {};
}

type Mapping = { [K in TypedError['kind']]: (error: Extract<TypedError, { kind: K }>, c: Context<AppEnv>) => ProblemError };

/** Each typed error of db/ as the problem it answers; a new kind fails to compile until it is here. */
const PROBLEM_OF: Mapping = {
  notFound: (error) => new ProblemError('notFound', error.message),
  databaseRequestTooLarge: ({ rows, bytes, maxDataBytes }) =>
    new ProblemError(
      'payloadTooLarge',
      `Stored, this batch of ${rows} ratings would be a database request of ${bytes} bytes; the database takes at most ${NEON_MAX_REQUEST_BYTES} bytes ` +
        `(10 MiB) per request, of which ${maxDataBytes} for the data. Send it in smaller batches: quotes, backslashes and control ` +
        `characters in text weigh more than other characters.`,
    ),
  unitNotFound: (error, c) => new ProblemError('notFound', error.message, unitFieldErrors(c, error.unitIds, 'No such unit')),
  unitArchived: (error, c) => new ProblemError('conflict', error.message, unitFieldErrors(c, error.unitIds, 'The unit is archived')),
  parentUnitNotFound: (error) => invalidParent(error.message),
  unitCycle: (error) => invalidParent(error.message),
  externalRefTaken: (error) => new ProblemError('conflict', error.message),
  unitHasChildren: (error) => new ProblemError('conflict', error.message),
  unitLimitReached: (error) => new ProblemError('conflict', error.message),
  unitChangedMeanwhile: (error) => new ProblemError('conflict', error.message),
  credentialNotLive: (error) => new ProblemError('conflict', error.message),
  tenantExists: (error) => new ProblemError('conflict', error.message),
  idempotencyKeyInUse: (error) => new ProblemError('idempotencyKeyInUse', error.message, { headers: { 'Retry-After': '1' } }),
  idempotencyKeyReused: () =>
    new ProblemError(
      'idempotencyKeyReused',
      `This ${IDEMPOTENCY_HEADER} was used in the last ${IDEMPOTENCY_WINDOW} for a request with another method, path or body; use a new key.`,
    ),
};

function invalidParent(detail: string): ProblemError {
  return new ProblemError('validation', '1 field is invalid in the body: /parentId.', {
    errors: [{ location: 'body', pointer: '/parentId', detail }],
  });
}

/** The problem a typed error of db/ answers; undefined for any other error. */
export function problemOf(error: unknown, c: Context<AppEnv>): ProblemError | undefined {
  if (!isTypedError(error)) return undefined;
  return (PROBLEM_OF[error.kind] as (error: TypedError, c: Context<AppEnv>) => ProblemError)(error, c);
}

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error);
  // A refused authentication reaches the handler through the query it led (http/auth.ts), wrapped by drizzle.
  if (error.cause instanceof ProblemError) return problemResponse(c, error.cause);
  const problem = problemOf(error, c);
  if (problem) return problemResponse(c, problem);
  if (error instanceof HTTPException && PROBLEM_BY_STATUS[error.status]) {
    return problemResponse(c, new ProblemError(PROBLEM_BY_STATUS[error.status]!, error.message || 'Bad request.'));
  }
  // Before the unavailable check, which takes every HTTP 5xx from the database for an outage.
  const limit = neonLimitOf(error);
  if (limit) {
    log(c, 'error', `database ${limit.exceeded} too large`, { error: describeError(error) });
    return problemResponse(
      c,
      limit.exceeded === 'request'
        ? new ProblemError('payloadTooLarge', `This request would make a database request of more than ${limit.maxBytes} bytes, the database's limit: send less at once.`)
        : new ProblemError(
            'databaseResponseTooLarge',
            `The answer would be more than ${limit.maxBytes} bytes from the database, its limit on one response. Quote the instance (request id) when reporting it.`,
          ),
    );
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
  // The database rolled the whole transaction back (a deadlock or serialization failure): nothing was applied.
  if (isTransactionConflict(error)) {
    log(c, 'warn', 'transaction conflict', { error: describeError(error) });
    return problemResponse(
      c,
      new ProblemError('databaseConflict', 'The request collided with concurrent work and was rolled back; nothing was applied. Retry after 1 second.', {
        headers: { 'Retry-After': '1' },
      }),
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
