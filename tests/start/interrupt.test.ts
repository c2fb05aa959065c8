/**
 * Ctrl-C during a first start's benchmark run (the last step before "Ready"): the run is left queued or running
 * in the database, and its Workflow instance gone with the worker. The next start must mark it failed (else it
 * would hold the job's one running slot and every later run would wait behind it), run the job again, since the
 * demo was never ranked, and be ready with the demo ranked; never a stack trace.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DATABASE_NAME, OWNER_LOGIN } from '../../scripts/lib/stack.ts';
import { type Newcomer, newcomer } from './npm-start.ts';

let app: Newcomer;

beforeAll(async () => {
  app = await newcomer();
});

afterAll(() => app?.remove());

test('a start stopped during its benchmark run: the next one marks the run failed, runs the job again and ranks the demo', async () => {
  const first = await app.start({ until: /benchmarks of the last complete month/ });
  // Stopped as soon as its run exists: it takes seconds to publish.
  const owner = new pg.Client({ connectionString: `postgresql://${OWNER_LOGIN.user}:${OWNER_LOGIN.password}@127.0.0.1:${app.ports.LOCAL_POSTGRES_PORT}/${DATABASE_NAME}` });
  await owner.connect();
  try {
    while (!(await owner.query(`select 1 from job_runs where status in ('queued', 'running')`)).rowCount) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    await owner.end();
  }
  await app.stop(first);
  expect(first.output).not.toMatch(/Ready in|\n\s+at /);

  const second = await app.start();
  try {
    expect(second.output).toMatch(/1 job run the last stop interrupted: marked failed/);
    expect(second.output).toMatch(/benchmarks of the last complete month/);
    expect(second.output).not.toMatch(/\n\s+at /);
    const key = readFileSync(path.join(app.clone, '.local/demo-api-key'), 'utf8').trim();
    const response = await fetch(`${app.base}/v1/benchmarks?measure=csat&cohort=industry&period=month`, { headers: { Authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { own: unknown }).own).toMatchObject({ ranked: true });
  } finally {
    await app.stop(second);
  }
}, 600_000);
