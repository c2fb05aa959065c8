import { expect, test } from 'vitest';
import { ownerPool, startBenchmarkRun, waitForJobRun } from './helpers.ts';

/*
 * A run waiting to claim the benchmark job asks the Workflow engine whether the running run is dead only
 * once that run has gone quiet (no step recorded for 10 s, worker/jobs/benchmarks.ts): locally, each
 * question about a live instance leaks RPC stubs in miniflare's binding and workerd warns of them.
 * (tests/api/benchmark-workflow.test.ts: a running run that never recorded a step is failed at once.)
 */

const owner = ownerPool();
const now = new Date();
const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();

test('a running run that has just recorded a step is waited for, unasked; once quiet for 10 s, it is failed', async () => {
  // A time-ordered id of time 0: it sorts behind every real run in listings.
  const holder = `00000000-0000-7000-8000-${crypto.randomUUID().slice(-12)}`;
  await owner.query(`insert into job_runs (id, job, trigger, status) values ($1, 'benchmarks', 'cron', 'running')`, [holder]);
  await owner.query(`insert into job_run_steps (job_run_id, step) values ($1, 'claim')`, [holder]);
  const queued = await startBenchmarkRun({ at });

  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const statusOf = async (id: string) => (await owner.query('select status from job_runs where id = $1', [id])).rows[0].status;
  expect([await statusOf(holder), await statusOf(queued.id)]).toEqual(['running', 'queued']);

  const run = await waitForJobRun(queued.id);
  expect(run.status).toBe('succeeded');
  const { rows } = await owner.query(
    `select status, error, extract(epoch from finished_at - (select max(done_at) from job_run_steps where job_run_id = $1)) as quiet
       from job_runs where id = $1`,
    [holder],
  );
  expect(rows[0]).toMatchObject({ status: 'failed', error: 'its Workflow instance is unknown to the engine' });
  expect(Number(rows[0].quiet)).toBeGreaterThanOrEqual(10);
}, 60_000);
