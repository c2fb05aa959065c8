import { createRoute } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { refuseEmployeeIdentifiers } from './anonymity.ts';
import {
  InternalRatingBatchResultSchema,
  InternalRatingBatchSchema,
  InternalRatingInputSchema,
  InternalRatingReceiptSchema,
} from './schemas.ts';

const tags = ['Internal ratings'];

const { security, middleware } = tenantSecurity('internal-ratings:write');
const write = { tags, security, middleware: [...middleware, refuseEmployeeIdentifiers()] };

// The header check (400), the units (404, 409) and the key's state (409, 422) besides the usual.
const writeProblems = problemResponses(
  SCOPED_PROBLEMS,
  JSON_BODY_PROBLEMS,
  'invalidParameters',
  'notFound',
  'conflict',
  'idempotencyKeyInUse',
  'idempotencyKeyReused',
);

const ANONYMITY =
  'Internal ratings are anonymous: a field that identifies the employee (employeeId, email, name, userId, staffId, ' +
  '…, at any depth) is a 422 saying so; only the day is stored, under a random id; and no route reads one back ' +
  '(aggregates of 5 or more respondents only, by the disclosure rule: see the scorecard). The day must lie in the ' +
  'current UTC month. `internal-ratings:write` is a scope of its own: `admin` does not imply it, and a credential ' +
  'that holds it cannot hold `reports:read` or `admin`, so no one can pad a small group with answers they know and ' +
  'read it back. Each write is audited with its counts (`internal_ratings.recorded`), never its contents.';

export const createInternalRating = createRoute({
  method: 'post',
  path: '/v1/internal-ratings',
  operationId: 'createInternalRating',
  summary: 'Record an employee’s anonymous rating of the support they receive',
  description:
    `Needs \`internal-ratings:write\`. ${ANONYMITY} An unknown unit (or another tenant’s) is a 404 naming it; an archived ` +
    'unit is a 409. Send an `Idempotency-Key` so that retries cannot record the rating twice.',
  ...write,
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: InternalRatingInputSchema } } },
  },
  responses: {
    201: { description: 'Stored; there is no id, as there is nothing to read back.', content: { 'application/json': { schema: InternalRatingReceiptSchema } } },
    ...writeProblems,
  },
});

export const createInternalRatingBatch = createRoute({
  method: 'post',
  path: '/v1/internal-ratings/batch',
  operationId: 'createInternalRatingBatch',
  summary: 'Record up to 1,000 anonymous internal ratings at once, all or nothing',
  description:
    `Needs \`internal-ratings:write\`. ${ANONYMITY} If any item is invalid, nothing is written and the 422 lists every bad ` +
    'item by JSON pointer (`/items/17/empowerment`). Unknown units are a 404 and archived ones a 409, each naming ' +
    'the items. The body may be up to 5 MiB.',
  ...write,
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: InternalRatingBatchSchema } } },
  },
  responses: {
    201: { description: 'How many were written.', content: { 'application/json': { schema: InternalRatingBatchResultSchema } } },
    ...writeProblems,
  },
});

export type CreateInternalRatingRoute = typeof createInternalRating;
export type CreateInternalRatingBatchRoute = typeof createInternalRatingBatch;
