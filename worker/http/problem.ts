import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DEFAULT_DATABASE_TIMEOUT_MS } from '../db/client.ts';
import { integer } from './schemas.ts';

/** Base of every problem `type`: each kind of problem has a stable URI that documents it. */
export const PROBLEM_TYPE_BASE = 'https://service-culture.dev/problems/';

export const FieldErrorSchema = z
  .object({
    location: z.enum(['body', 'query', 'path', 'header']).openapi({ description: 'Which part of the request.' }),
    pointer: z
      .string()
      .openapi({ description: 'JSON Pointer (RFC 6901) to the failing field within that part.', example: '/region' }),
    detail: z.string().openapi({ example: 'Expected a two-letter ISO 3166-1 country code' }),
  })
  .openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: `${PROBLEM_TYPE_BASE}validation-error` }),
    title: z.string().openapi({ example: 'Your request is not valid' }),
    status: integer().openapi({ example: 422 }),
    detail: z.string().openapi({ example: '1 field is invalid: /region.' }),
    instance: z.string().openapi({ description: 'The request id; quote it when asking for support.' }),
    errors: z.array(FieldErrorSchema).optional().openapi({ description: 'Each invalid field, for validation errors.' }),
  })
  .openapi('Problem', {
    description: 'An RFC 9457 problem details object.',
    example: {
      type: `${PROBLEM_TYPE_BASE}validation-error`,
      title: 'Your request is not valid',
      status: 422,
      detail: '1 field is invalid: /overall.',
      instance: '4f8c2d1e-6b7a-4e3f-9a1b-2c3d4e5f6a7b',
      errors: [{ location: 'body', pointer: '/overall', detail: 'Too big: expected number to be <=5' }],
    },
  });

export type FieldError = z.infer<typeof FieldErrorSchema>;
export type Problem = z.infer<typeof ProblemSchema>;

interface ProblemKind {
  status: ContentfulStatusCode;
  slug: string;
  title: string;
  /** What the OpenAPI document says of it, when the title is not enough. */
  description?: string;
}

/** Every problem the API can answer with; the OpenAPI document and the handlers share this list. */
export const PROBLEMS = {
  badRequest: { status: 400, slug: 'bad-request', title: 'The request is malformed' },
  invalidParameters: { status: 400, slug: 'invalid-parameters', title: 'A query or header parameter is not valid' },
  unauthorized: { status: 401, slug: 'unauthorized', title: 'Missing or invalid credentials' },
  forbidden: { status: 403, slug: 'forbidden', title: 'The credentials lack a required permission' },
  notFound: { status: 404, slug: 'not-found', title: 'No such resource' },
  methodNotAllowed: { status: 405, slug: 'method-not-allowed', title: 'Method not allowed on this resource' },
  conflict: { status: 409, slug: 'conflict', title: 'The request conflicts with the current state' },
  idempotencyKeyInUse: { status: 409, slug: 'idempotency-key-in-use', title: 'A request with this Idempotency-Key is in flight' },
  payloadTooLarge: { status: 413, slug: 'payload-too-large', title: 'The request body is too large' },
  unsupportedMediaType: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported content type' },
  validation: { status: 422, slug: 'validation-error', title: 'Your request is not valid' },
  idempotencyKeyReused: { status: 422, slug: 'idempotency-key-reused', title: 'This Idempotency-Key was used for another request' },
  tooManyRequests: { status: 429, slug: 'too-many-requests', title: 'Too many requests' },
  internal: { status: 500, slug: 'internal-error', title: 'Internal error' },
  unavailable: {
    status: 503,
    slug: 'service-unavailable',
    title: 'Service temporarily unavailable',
    description: 'Service temporarily unavailable: the database cannot be reached. Retry after `Retry-After` seconds',
  },
  databaseResponseTooLarge: {
    status: 507,
    slug: 'database-response-too-large',
    title: 'The answer is larger than the database may send',
    description:
      'The answer would pass the database’s 10 MiB limit on one response: a last line of defence, since every read pages or ' +
      'sums within it. Narrow the request (a unit, a shorter period) and report it with the instance',
  },
  databaseConflict: {
    status: 503,
    slug: 'database-conflict',
    title: 'The request collided with concurrent work',
    description: 'The request collided with concurrent work (a deadlock) and was rolled back, nothing applied: retry after `Retry-After` seconds',
  },
  databaseTimeout: {
    status: 503,
    slug: 'database-timeout',
    title: 'The database did not answer in time',
    description:
      `The database did not answer in time: each database round trip has a deadline of ${DEFAULT_DATABASE_TIMEOUT_MS / 1000} s, ` +
      'so a write (one or two round trips) is answered within about twice that. The write may or may not have been ' +
      'applied: retry after `Retry-After` seconds with the same `Idempotency-Key`, which replays it if it was',
  },
} as const satisfies Record<string, ProblemKind>;

export type ProblemName = keyof typeof PROBLEMS;

/**
 * Thrown anywhere in a request; `app.onError` renders it as `application/problem+json`.
 * Throwing (rather than returning) keeps handlers' typed responses to their success shapes.
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(name: ProblemName, detail: string, options: { errors?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.kind = PROBLEMS[name];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function problemResponse(c: Context, error: ProblemError): Response {
  const { status, slug, title } = error.kind;
  const body: Problem = {
    type: PROBLEM_TYPE_BASE + slug,
    title,
    status,
    detail: error.message,
    // The id in the X-Request-Id response header: the client's own when it sent one.
    instance: c.get('clientRequestId') ?? c.get('requestId') ?? '',
    ...(error.errors ? { errors: error.errors } : {}),
  };
  return c.body(JSON.stringify(body), status, {
    ...error.headers,
    'Content-Type': 'application/problem+json',
  });
}

type ProblemResponses<N extends ProblemName> = {
  [K in N as (typeof PROBLEMS)[K]['status']]: {
    description: string;
    content: { 'application/problem+json': { schema: typeof ProblemSchema } };
  };
};

/** Problems that come together with one kind of operation; `problemResponses` takes them as one. */
export type ProblemSet = readonly ProblemName[];

/** Any route: a fault of its own, or the database out of reach or too slow (503 with `Retry-After`). */
export const SERVER_PROBLEMS = ['internal', 'unavailable', 'databaseTimeout', 'databaseConflict', 'databaseResponseTooLarge'] as const satisfies ProblemSet;
/** A route that takes credentials but needs no scope (the operator's, `GET /v1/tenant`). */
export const AUTHENTICATED_PROBLEMS = ['unauthorized', ...SERVER_PROBLEMS] as const satisfies ProblemSet;
/** A tenant route that needs a scope (`tenantSecurity(scope)`): a credential without it is a 403. */
export const SCOPED_PROBLEMS = ['unauthorized', 'forbidden', ...SERVER_PROBLEMS] as const satisfies ProblemSet;
/** A JSON request body: not JSON, too large, of another media type, or invalid field by field. */
export const JSON_BODY_PROBLEMS = ['badRequest', 'payloadTooLarge', 'unsupportedMediaType', 'validation'] as const satisfies ProblemSet;
/** Query parameters (a page's `limit` and `cursor`, filters). */
export const QUERY_PROBLEMS = ['invalidParameters'] as const satisfies ProblemSet;
/**
 * A resource named by its path id: none with that id, one of another tenant and a malformed id
 * all answer the same 404.
 */
export const BY_ID_PROBLEMS = ['notFound'] as const satisfies ProblemSet;

type NamesOf<I> = I extends readonly (infer N)[] ? N : I;

/**
 * OpenAPI response entries for the problems a route can answer with: names and problem sets, e.g.
 * `problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, 'conflict')`. Two problems with one status
 * share an entry whose description names both.
 */
export function problemResponses<const I extends readonly (ProblemName | ProblemSet)[]>(
  ...items: I
): ProblemResponses<Extract<NamesOf<I[number]>, ProblemName>> {
  const responses: Record<number, { description: string; content: object }> = {};
  for (const name of new Set(items.flat())) {
    const kind: ProblemKind = PROBLEMS[name];
    const { status } = kind;
    const text = kind.description ?? kind.title;
    const previous = responses[status];
    responses[status] = {
      description: previous ? `${previous.description}; or: ${text}` : text,
      content: { 'application/problem+json': { schema: ProblemSchema } },
    };
  }
  return responses as ProblemResponses<Extract<NamesOf<I[number]>, ProblemName>>;
}

/** Names what is missing and where it goes, instead of failing on the first use of it. */
export function notConfigured(missing: string[]): ProblemError {
  return new ProblemError(
    'unavailable',
    `The worker is not configured: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set. Locally, \`npm start\` ` +
      'sets everything; for a plain `wrangler dev` copy .dev.vars.example to .dev.vars; in production, `npx wrangler secret put NAME`.',
    { headers: { 'Retry-After': '60' } },
  );
}
