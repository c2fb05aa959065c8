import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { JOB_STATUSES, JOB_TRIGGERS } from '../../../db/schema.ts';
import { operatorAuth } from '../../http/auth.ts';
import { pageSchema, PageQuerySchema } from '../../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, QUERY_PROBLEMS } from '../../http/problem.ts';
import { timestamp, uuid } from '../../http/schemas.ts';
import type { AppEnv } from '../../env.ts';

const tags = ['Admin'];
const operator: { security: Record<string, string[]>[]; middleware: MiddlewareHandler<AppEnv>[] } = {
  security: [{ operatorToken: [] }],
  middleware: [operatorAuth()],
};

export const JobRunSchema = z
  .object({
    id: uuid(),
    job: z.string().openapi({ example: 'benchmarks' }),
    trigger: z.enum(JOB_TRIGGERS),
    status: z.enum(JOB_STATUSES),
    startedAt: timestamp,
    finishedAt: timestamp.nullable(),
    summary: z.record(z.string(), z.unknown()).openapi({ description: 'What the run did: periods, snapshot ids, counts.' }),
    error: z.string().nullable(),
  })
  .openapi('JobRun');

/** How far ahead of the server's clock `at` may be, as for ratings' times. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const RunBenchmarksSchema = z
  .strictObject({
    at: timestamp
      // A period that has not ended has no benchmark, and its snapshot would stand as the latest one
      // (read by default) until that date: the fuzz's `at` in 2187 hid every real snapshot.
      .refine((value) => Date.parse(value) <= Date.now() + MAX_CLOCK_SKEW_MS, { message: 'Must not be in the future' })
      .optional()
      .openapi({
        description: 'Compute the last complete month and quarter before this instant (default: now); not in the future.',
        example: '2026-11-01T00:00:00Z',
      }),
  })
  .openapi('RunBenchmarks');

export const runBenchmarks = createRoute({
  method: 'post',
  path: '/v1/admin/jobs/benchmarks',
  operationId: 'runBenchmarks',
  summary: 'Run the benchmark job now (operator)',
  description:
    'Computes the benchmark snapshots of the last complete month and quarter, replacing those periods\' snapshots, ' +
    'and answers with the finished run: `succeeded`, or `failed` with its error (the previous snapshots then stay).',
  tags,
  ...operator,
  request: { body: { required: false, content: { 'application/json': { schema: RunBenchmarksSchema } } } },
  responses: {
    200: { description: 'The finished job run.', content: { 'application/json': { schema: JobRunSchema } } },
    ...problemResponses(AUTHENTICATED_PROBLEMS, JSON_BODY_PROBLEMS),
  },
});

export const listJobRuns = createRoute({
  method: 'get',
  path: '/v1/admin/job-runs',
  operationId: 'listJobRuns',
  summary: 'List job runs (operator)',
  description: 'Scheduled and operator-triggered runs, newest first.',
  tags,
  ...operator,
  request: { query: PageQuerySchema },
  responses: {
    200: { description: 'A page of job runs.', content: { 'application/json': { schema: pageSchema(JobRunSchema, 'JobRunPage') } } },
    ...problemResponses(AUTHENTICATED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export type RunBenchmarksRoute = typeof runBenchmarks;
export type ListJobRunsRoute = typeof listJobRuns;
