import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { api, type CreatedTenant, createExternalRatings, createTenant, createUnit, externalRating, runBenchmarkJob, workerUrl } from '../api/helpers.ts';

const TSX = path.resolve('node_modules/.bin/tsx');

/** Runs `examples/<name>.ts` against the test worker as the tenant's admin; its output and exit code. */
async function runExample(name: string, key: string, env: Record<string, string> = {}) {
  try {
    const { stdout } = await promisify(execFile)(TSX, [`examples/${name}.ts`], {
      env: { ...process.env, SC_API_URL: workerUrl, SC_API_KEY: key, ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout: stdout + stderr };
  }
}

// A region no other test file uses: five peers with 30 ratings each in the last complete month.
const now = new Date();
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 12)).toISOString();
let tenant: CreatedTenant;

beforeAll(async () => {
  const peers: CreatedTenant[] = [];
  for (let i = 0; i < 5; i++) {
    const peer = await createTenant({ name: `Examples peer ${i}`, region: 'NZ', benchmarkOptIn: true });
    const unit = await createUnit(peer.apiKey.secret);
    await createExternalRatings(
      peer.apiKey.secret,
      Array.from({ length: 30 }, (_, n) => externalRating(unit.id, { occurredAt: lastMonth, overall: n < 10 + i * 4 ? 4 : 3 })),
    );
    peers.push(peer);
  }
  tenant = peers[2]!;
});

test('kiosk posts external ratings to a unit it creates the first time', async () => {
  const first = await runExample('kiosk', tenant.apiKey.secret);
  expect(first.code, first.stdout).toBe(0);
  expect(first.stdout).toMatch(/created unit "Branch 001 front desk"/);
  expect(first.stdout).toMatch(/kiosk posted 5 external ratings \(3 satisfied\)/);
  const again = await runExample('kiosk', tenant.apiKey.secret, { KIOSK_RATINGS: '2' });
  expect(again.stdout).not.toMatch(/created unit/);
  expect(again.stdout).toMatch(/kiosk posted 2 external ratings/);
});

test('hr-sync posts internal ratings in batches', async () => {
  const { code, stdout } = await runExample('hr-sync', tenant.apiKey.secret, { HR_SYNC_ANSWERS: '25', HR_SYNC_BATCH_SIZE: '10' });
  expect(code, stdout).toBe(0);
  expect(stdout).toMatch(/batch 1: 10 internal ratings accepted/);
  expect(stdout).toMatch(/batch 3: 5 internal ratings accepted/);
  expect(stdout).toMatch(/hr-sync sent 25 internal ratings about "IT service desk" in 3 batches/);
});

test('report-fetcher prints the scorecard, then the benchmark percentile once the job has run', async () => {
  const env = { REPORT_COHORT: 'region' };
  const before = await runExample('report-fetcher', tenant.apiKey.secret, env);
  expect(before.code, before.stdout).toBe(0);
  expect(before.stdout).toMatch(/Scorecard of Examples peer 2, by month/);
  // Today's kiosk ratings: 7 in all, 4 of them satisfied.
  expect(before.stdout).toMatch(/external ratings 7\n/);

  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  expect(await runBenchmarkJob({ at })).toMatchObject({ status: 'succeeded' });
  const after = await runExample('report-fetcher', tenant.apiKey.secret, env);
  expect(after.code, after.stdout).toBe(0);
  expect(after.stdout).toMatch(/Benchmark csat among peers of the same region/);
  // The median of the peers' perturbed csat (README, What the pool reveals): near 0.60, not exactly it.
  expect(after.stdout).toMatch(/peers: 5 organizations, median 0\.[4-7]\d/);
  // The rank among perturbed peers (the middle of five, unless noise of scale 0.025 moved one past 0.13): as the API says.
  const { own } = (await (await api('/v1/benchmarks?measure=csat&cohort=region&period=month', { key: tenant.apiKey.secret })).json()) as { own: { percentileRank: number } };
  expect(own.percentileRank).toBeGreaterThanOrEqual(25);
  expect(own.percentileRank).toBeLessThanOrEqual(75);
  expect(after.stdout).toContain(`percentile: ${own.percentileRank.toFixed(0)} (own value 0.60)`);
});

test('a refused credential is a non-zero exit with the problem', async () => {
  const { code, stdout } = await runExample('report-fetcher', 'sck_not-a-key');
  expect(code).toBe(1);
  expect(stdout).toMatch(/failed: 401/);
});
