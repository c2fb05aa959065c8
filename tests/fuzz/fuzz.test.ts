/**
 * Issue 7, "Hostile input": every operation of the committed OpenAPI document, valid and bent, against
 * the real worker and database. `npm test` sends a short run; `npm run test:fuzz` ≥ 10,000 requests.
 * FUZZ_SEED overrides the (printed) seed, FUZZ_RUNS the number of requests.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { createFixtures, type Fixtures } from './fixtures.ts';
import { describeFailures, describeStatuses, runFuzz } from './fuzz.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);
const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

let worker: RunningWorker;
let fixtures: Fixtures;
let started: Date;

beforeAll(async () => {
  started = new Date();
  // Its own worker: thousands of requests on a few credentials would meet the shared one's limiter.
  worker = await startWorker(
    {
      DATABASE_URL: inject('databaseUrl'),
      LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
      OPERATOR_TOKEN: inject('operatorToken'),
      JWT_SIGNING_KEYS: inject('signingKeys'),
      HASH_SECRET: randomBytes(32).toString('base64url'),
      RATE_LIMIT_MODE: 'local',
      RATE_LIMIT_PER_WINDOW: String(1_000_000_000),
    },
    { script: inject('workerScript'), logLevel: 'error' },
  );
  fixtures = await createFixtures(worker.url, inject('operatorToken'), inject('signingKeys'));
});
afterAll(async () => {
  await worker?.dispose();
  // The fuzz's tenants (its fixtures and those it created, in any region) leave the benchmark pool,
  // so that test files that run after it count only their own peers. Files run one at a time.
  // Their webhook endpoints go too (deliveries cascade): a later file's delivery run must never
  // send to the public URLs the fuzz registered.
  const owner = new pg.Client({ connectionString: inject('ownerDatabaseUrl') });
  await owner.connect();
  try {
    await owner.query('update tenants set benchmark_opt_in = false where created_at >= $1', [started]);
    await owner.query('delete from webhook_endpoints where tenant_id in (select id from tenants where created_at >= $1)', [started]);
  } finally {
    await owner.end();
  }
});

test(`${RUNS} generated requests: no 5xx, 4xx are problem+json, 2xx match the document`, { timeout: 60_000 + RUNS * 100 }, async () => {
  console.log(`fuzz seed ${SEED} (override with FUZZ_SEED), ${RUNS} requests (FUZZ_RUNS)`);
  const started = performance.now();
  const { failures, operations, statuses } = await runFuzz({ document, fixtures, baseUrl: worker.url, seed: SEED, runs: RUNS });
  console.log(`${RUNS} requests over ${operations} operations in ${((performance.now() - started) / 1000).toFixed(1)} s, ${failures.length} failures`);
  if (process.env.FUZZ_STATUSES) console.log(describeStatuses(statuses));
  if (failures.length > 0) {
    // Requests are shortened in the summary; the file has them whole, to replay.
    const file = path.join(os.tmpdir(), `fuzz-failures-${SEED}.json`);
    writeFileSync(file, JSON.stringify(failures, null, 2));
    console.log(`${describeFailures(failures, SEED)}\nevery failing request, whole: ${file}`);
  }
  expect(failures.length, 'failures, listed above').toBe(0);
});
