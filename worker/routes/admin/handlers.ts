import type { RouteHandler } from '@hono/zod-openapi';
import { auditFilter } from '../audit-events/handlers.ts';
import type { OperatorAuditEvent } from '../../../db/schema.ts';
import { listOperatorAuditEvents as listOperatorAuditEventRows } from '../../db/audit.ts';
import { getJobRun as getJobRunRow, type JobRun, listJobRuns as listJobRunRows } from '../../db/jobs.ts';
import type { AppEnv } from '../../env.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import { startBenchmarkRun } from '../../jobs/benchmarks.ts';
import type { GetJobRunRoute, ListJobRunsRoute, ListOperatorAuditEventsRoute, RunBenchmarksRoute } from './routes.ts';

function jobRunResource(run: JobRun) {
  return {
    id: run.id,
    job: run.job,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    summary: run.summary,
    error: run.error,
    progress: run.progress,
  };
}

// Operator requests run with no tenant set: what job_runs' and the snapshots' policies require.
export const runBenchmarks: RouteHandler<RunBenchmarksRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json') as { at?: string } | undefined;
  const run = await startBenchmarkRun(c.env, {
    trigger: 'operator',
    now: body?.at ? new Date(body.at) : new Date(),
    requestId: c.get('requestId'),
    clientRequestId: c.get('clientRequestId'),
  });
  return c.json(jobRunResource(run), 202, { Location: `/v1/admin/job-runs/${run.id}` });
};

export const getJobRun: RouteHandler<GetJobRunRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const run = await getJobRunRow(c.get('db'), id);
  if (!run) throw new ProblemError('notFound', `There is no job run ${id}.`);
  return c.json(jobRunResource(run), 200);
};

export const listJobRuns: RouteHandler<ListJobRunsRoute, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const after = decodeCursor(cursor);
  const rows = await listJobRunRows(c.get('db'), { limit, ...(after ? { after } : {}) });
  return c.json(toPage(c, rows, limit, jobRunResource), 200);
};

function operatorAuditEventResource(event: OperatorAuditEvent) {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    actor: { type: event.actorType },
    targetId: event.targetId,
    requestId: event.requestId,
    clientRequestId: event.clientRequestId,
    details: event.details,
  };
}

export const listOperatorAuditEvents: RouteHandler<ListOperatorAuditEventsRoute, AppEnv> = async (c) => {
  const { limit, cursor, action, from, to } = c.req.valid('query');
  const rows = await listOperatorAuditEventRows(
    c.get('db'),
    auditFilter({ action, from, to }),
    { limit, after: decodeCursor(cursor) },
  );
  return c.json(toPage(c, rows, limit, operatorAuditEventResource), 200);
};
