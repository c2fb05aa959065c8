import { createRoute, z } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { pageSchema } from '../../http/pagination.ts';
import { BY_ID_PROBLEMS, problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS, SERVER_PROBLEMS } from '../../http/problem.ts';
import {
  CSV_COLUMNS,
  ErasureResultSchema,
  EraseExternalRatingsQuerySchema,
  ExportExternalRatingsQuerySchema,
  ExternalRatingBatchResultSchema,
  ExternalRatingBatchSchema,
  ExternalRatingInputSchema,
  ExternalRatingParamsSchema,
  ExternalRatingSchema,
  ListExternalRatingsQuerySchema,
} from './schemas.ts';

const tags = ['External ratings'];

const writeProblems = problemResponses(
  'badRequest',
  'invalidParameters',
  'unauthorized',
  'forbidden',
  'notFound',
  'conflict',
  'idempotencyKeyInUse',
  'payloadTooLarge',
  'unsupportedMediaType',
  'validation',
  'idempotencyKeyReused',
  SERVER_PROBLEMS,
);

export const createExternalRating = createRoute({
  method: 'post',
  path: '/v1/external-ratings',
  operationId: 'createExternalRating',
  summary: 'Record a client’s rating of a service encounter',
  description:
    'Needs `ratings:write`. An unknown unit (or another tenant’s) is a 404 naming it; an archived unit is a 409. ' +
    'Send an `Idempotency-Key` so that retries cannot record the rating twice.',
  tags,
  ...tenantSecurity('ratings:write'),
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: ExternalRatingInputSchema } } },
  },
  responses: {
    201: { description: 'The rating as stored.', content: { 'application/json': { schema: ExternalRatingSchema } } },
    ...writeProblems,
  },
});

export const createExternalRatingBatch = createRoute({
  method: 'post',
  path: '/v1/external-ratings/batch',
  operationId: 'createExternalRatingBatch',
  summary: 'Record up to 1,000 ratings at once, all or nothing',
  description:
    'Needs `ratings:write`. If any item is invalid, nothing is written and the 422 lists every bad item by JSON ' +
    'pointer (`/items/17/overall`). Unknown units are a 404 and archived ones a 409, each naming the items. ' +
    'The body may be up to 5 MiB, and the batch, stored, must fit one database request of 10 MiB: text is escaped ' +
    'there, so quotes, backslashes and control characters in comments weigh two to seven times their length. A batch ' +
    'that would not fit is a 413 naming the limit, before anything is written; send it in smaller batches.',
  tags,
  ...tenantSecurity('ratings:write'),
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: ExternalRatingBatchSchema } } },
  },
  responses: {
    201: { description: 'How many were written, and their ids.', content: { 'application/json': { schema: ExternalRatingBatchResultSchema } } },
    ...writeProblems,
  },
});

const READ_NOTE = 'Needs the `ratings:read` scope. The `customerRef` is never returned, only `hasCustomerRef`.';
const FILTERS_NOTE = 'Filters combine with AND; `from` is inclusive and `to` exclusive, both on `occurredAt`.';

export const listExternalRatings = createRoute({
  method: 'get',
  path: '/v1/external-ratings',
  operationId: 'listExternalRatings',
  summary: 'List external ratings',
  description: `The tenant's ratings, newest first (by receipt), up to 200 a page. ${FILTERS_NOTE} ${READ_NOTE}`,
  tags,
  ...tenantSecurity('ratings:read'),
  request: { query: ListExternalRatingsQuerySchema },
  responses: {
    200: {
      description: 'A page of ratings.',
      content: { 'application/json': { schema: pageSchema(ExternalRatingSchema, 'ExternalRatingPage') } },
    },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export const exportExternalRatings = createRoute({
  method: 'get',
  path: '/v1/external-ratings/export.csv',
  operationId: 'exportExternalRatings',
  summary: 'Export external ratings as CSV',
  description:
    `Every rating that matches the filters, newest first (by receipt), streamed as RFC 4180 CSV (UTF-8, CRLF line ends, ` +
    `a header row: ${CSV_COLUMNS.join(', ')}; empty fields for nulls). To keep a spreadsheet from running a comment ` +
    "as a formula, a comment that starts with `=`, `+`, `-`, `@`, a tab, CR, LF or NUL, or with `=`, `+`, `-`, `@` after " +
    "leading spaces or line breaks, gets a leading apostrophe (`'`). " +
    `A failure midway aborts the transfer, so a partial file cannot pass for a complete one. ${FILTERS_NOTE} ${READ_NOTE}`,
  tags,
  ...tenantSecurity('ratings:read'),
  request: { query: ExportExternalRatingsQuerySchema },
  responses: {
    200: {
      description: 'The CSV file.',
      headers: z.object({
        'Content-Disposition': z.string().openapi({
          description: 'An attachment named for the day of the export (UTC).',
          example: 'attachment; filename="external-ratings-2026-11-23.csv"',
        }),
      }),
      content: { 'text/csv': { schema: z.string().openapi({ example: `${CSV_COLUMNS.join(',')}\r\n…` }) } },
    },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export const getExternalRating = createRoute({
  method: 'get',
  path: '/v1/external-ratings/{id}',
  operationId: 'getExternalRating',
  summary: 'Get an external rating',
  description: READ_NOTE,
  tags,
  ...tenantSecurity('ratings:read'),
  request: { params: ExternalRatingParamsSchema },
  responses: {
    200: { description: 'The rating.', content: { 'application/json': { schema: ExternalRatingSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export const eraseExternalRatings = createRoute({
  method: 'delete',
  path: '/v1/external-ratings',
  operationId: 'eraseExternalRatings',
  summary: 'Erase a customer’s ratings',
  description:
    'Right to erasure: deletes every rating sent with this `customerRef` and takes them out of the rollups, in one ' +
    'transaction. Each erasure request is recorded in the audit log (`external_ratings.erased`, with the count, ' +
    'never the reference), also when nothing matched; repeating it is harmless and erases 0. Needs the ' +
    '`ratings:write` scope.',
  tags,
  ...tenantSecurity('ratings:write'),
  request: { query: EraseExternalRatingsQuerySchema },
  responses: {
    200: { description: 'How many ratings were erased.', content: { 'application/json': { schema: ErasureResultSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export type CreateExternalRatingRoute = typeof createExternalRating;
export type CreateExternalRatingBatchRoute = typeof createExternalRatingBatch;
export type ListExternalRatingsRoute = typeof listExternalRatings;
export type ExportExternalRatingsRoute = typeof exportExternalRatings;
export type GetExternalRatingRoute = typeof getExternalRating;
export type EraseExternalRatingsRoute = typeof eraseExternalRatings;
