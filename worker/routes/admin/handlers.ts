import type { RouteHandler } from '@hono/zod-openapi';
import { type JobRun, listJobRuns as listJobRunRows } from '../../db/benchmarks.ts';
import type { AppEnv } from '../../env.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { runBenchmarkJob } from '../../jobs/benchmarks.ts';
import type { ListJobRunsRoute, RunBenchmarksRoute } from './routes.ts';

function jobRunResource(run: JobRun) {
  return {
    id: run.id,
    job: run.job,
    trigger: run.trigger as 'cron' | 'operator',
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    summary: run.summary,
    error: run.error,
  };
}

// Operator requests run with no tenant set: what job_runs' and the snapshots' policies require.
export const runBenchmarks: RouteHandler<RunBenchmarksRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json') as { at?: string } | undefined;
  const run = await runBenchmarkJob(c.env, { trigger: 'operator', now: body?.at ? new Date(body.at) : new Date() });
  return c.json(jobRunResource(run), 200);
};

export const listJobRuns: RouteHandler<ListJobRunsRoute, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const after = decodeCursor(cursor);
  const rows = await listJobRunRows(c.get('db'), { limit, ...(after ? { after } : {}) });
  return c.json(toPage(rows, limit, jobRunResource), 200);
};
