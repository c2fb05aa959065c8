import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { JOB_STATUSES, JOB_TRIGGERS, OPERATOR_ACTOR_TYPES, OPERATOR_AUDIT_ACTIONS } from '../../../db/schema.ts';
import { operatorAuth } from '../../http/auth.ts';
import { pageSchema, PageQuerySchema } from '../../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, QUERY_PROBLEMS } from '../../http/problem.ts';
import { idParamsSchema, timestamp, uuid } from '../../http/schemas.ts';
import type { AppEnv } from '../../env.ts';
import { auditQuerySchema } from '../audit-events/routes.ts';

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
    progress: z
      .object({
        stepsDone: z.number().int().nonnegative(),
        stepsTotal: z.number().int().nonnegative().nullable().openapi({ description: 'Null until the run has read the participants.' }),
        tenantsDone: z.number().int().nonnegative().openapi({ description: 'Opted-in tenants whose values the run has computed.' }),
        tenantsTotal: z.number().int().nonnegative().nullable(),
        lastStep: z.string().nullable().openapi({ description: 'The step done last, e.g. `compute 3`, `publish`.', example: 'publish' }),
      })
      .openapi('JobRunProgress', { description: 'The run\'s steps so far; each is done once, even when retried.' }),
  })
  .openapi('JobRun');

const JobRunParamsSchema = idParamsSchema('The job run id.');

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
  summary: 'Start the benchmark job now (operator)',
  description:
    'Starts a run of the benchmark job (a Cloudflare Workflow) for the last complete month and quarter and answers ' +
    'at once with the `queued` run; `GET` its `Location` until its status is `succeeded` or `failed`. A run waits ' +
    'for the job\'s running one to end (`queued`), computes the snapshots step by step and publishes them at once, ' +
    'replacing those periods\' snapshots; a failed run leaves the previous snapshots in place.',
  tags,
  ...operator,
  request: { body: { required: false, content: { 'application/json': { schema: RunBenchmarksSchema } } } },
  responses: {
    202: {
      description: 'The run, queued.',
      headers: z.object({ Location: z.string().openapi({ description: 'The job run, to poll.' }) }),
      content: { 'application/json': { schema: JobRunSchema } },
    },
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

export const getJobRun = createRoute({
  method: 'get',
  path: '/v1/admin/job-runs/{id}',
  operationId: 'getJobRun',
  summary: 'Get a job run (operator)',
  description: 'Its status and progress: poll it after starting a run.',
  tags,
  ...operator,
  request: { params: JobRunParamsSchema },
  responses: {
    200: { description: 'The job run.', content: { 'application/json': { schema: JobRunSchema } } },
    ...problemResponses(AUTHENTICATED_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export const OperatorAuditEventSchema = z
  .object({
    id: uuid(),
    occurredAt: timestamp,
    action: z.enum(OPERATOR_AUDIT_ACTIONS),
    actor: z
      .object({ type: z.enum(OPERATOR_ACTOR_TYPES).openapi({ description: '`operator`: the operator token; `schedule`: the daily cron.' }) })
      .openapi({ description: 'Who did it.' }),
    targetId: uuid().nullable().openapi({ description: 'The job run started.' }),
    requestId: z.string().nullable().openapi({ description: "The server's own id of the request that did it; null for the schedule." }),
    clientRequestId: z.string().nullable().openapi({ description: 'The `X-Request-Id` the client sent with that request, if any.' }),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'For `job_run.started`: `job`, `trigger` and `at` (the instant whose last complete periods it computes).' }),
  })
  .openapi('OperatorAuditEvent');

export const listOperatorAuditEvents = createRoute({
  method: 'get',
  path: '/v1/admin/audit-events',
  operationId: 'listOperatorAuditEvents',
  summary: 'List operator audit events (operator)',
  description:
    'The append-only log of changes that belong to no tenant, newest first: each benchmark job run started, by the ' +
    'operator or by the daily schedule. What the operator does to one tenant (creating it) is in that tenant\'s own log.',
  tags,
  ...operator,
  request: { query: auditQuerySchema(OPERATOR_AUDIT_ACTIONS, 'job_run.started') },
  responses: {
    200: {
      description: 'A page of events.',
      content: { 'application/json': { schema: pageSchema(OperatorAuditEventSchema, 'OperatorAuditEventPage') } },
    },
    ...problemResponses(AUTHENTICATED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export type RunBenchmarksRoute = typeof runBenchmarks;
export type ListOperatorAuditEventsRoute = typeof listOperatorAuditEvents;
export type GetJobRunRoute = typeof getJobRun;
export type ListJobRunsRoute = typeof listJobRuns;
