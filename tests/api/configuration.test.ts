/**
 * Issue 19, an operator's first `wrangler dev` without `npm start`: nothing configured but wrangler.toml.
 * /ready names what is missing as a 503 problem (not a 500), and /health still answers.
 */
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { problemOf } from './helpers.ts';

let worker: RunningWorker;
beforeAll(async () => {
  // wrangler.toml's vars only: no secrets, no .dev.vars.
  worker = await startWorker({}, { script: inject('workerScript') });
});
afterAll(() => worker?.dispose());

test('/ready is a 503 naming every missing secret and where it goes', async () => {
  const response = await fetch(`${worker.url}/ready`);
  expect(response.status).toBe(503);
  const problem = await problemOf(response);
  for (const name of ['DATABASE_URL', 'OPERATOR_TOKEN', 'JWT_SIGNING_KEYS', 'HASH_SECRET']) expect(problem.detail).toContain(name);
  expect(problem.detail).toContain('.dev.vars.example');
});

test('/health answers, and an API call is the same 503, not a 500', async () => {
  expect((await fetch(`${worker.url}/health`)).status).toBe(200);
  const response = await fetch(`${worker.url}/v1/tenant`, { headers: { Authorization: 'Bearer sck_0123456789abcdefghijklmnopqrstuv' } });
  expect(response.status).toBe(503);
  expect((await problemOf(response)).detail).toContain('DATABASE_URL');
});
