/**
 * Reports bench: the two report reads, with a small and then a large database, and the benchmark
 * job on the reference pool (issue 6, "Correctness and speed"), in one run on an isolated stack:
 *
 *   small   one measured tenant (opted in, 4 units) with 10,000 external and 1,000 internal ratings
 *           over the last 12 months, written through the API's batch endpoints; nothing else
 *   reads   `GET /v1/scorecard?interval=month` (default period) and `GET /v1/benchmarks?measure=csat`
 *           as that tenant, closed loop, p50/p99
 *   job     the reference pool (252 organizations, `loadReferencePool`) is loaded, then the benchmark
 *           job runs through `POST /v1/admin/jobs/benchmarks` (polled to its end): its duration and participants
 *   large   more pool organizations (same generator, same COPY loader with rollups) until the
 *           database holds ~1,000,000 ratings or the load budget runs out; the job runs again,
 *           then the same two reads: p50 large / p50 small (target ≤ 1.2: reports read rollups)
 *
 * CLI: `npm run bench:reports [-- --connections N --seconds S --warmup S --json]`.
 */
import http from 'node:http';
import pg from 'pg';
import { POOL_ORGANIZATIONS } from '../db/pool/generate.ts';
import { loadReferencePool } from '../db/pool/load.ts';
import { NEON_MAX_REQUEST_BYTES } from '../worker/db/neon-limits.ts';
import { seedInternalRatings } from '../tests/lib/internal-seed.ts';
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import {
  type Bench,
  type BenchSettings,
  benchRatingInput,
  closedLoop,
  isSuccess,
  type LoadResult,
  type Ratio,
  runAsScript,
  runBenchmarkWorkflow,
  sendRequest,
  type TableRow,
} from './common.ts';

const UNITS = 4;
const SMALL_EXTERNAL = 10_000;
const SMALL_INTERNAL = 1_000;
const BATCH_ITEMS = 1000;
/** The large database: ratings in total (both kinds, every tenant). */
const TARGET_RATINGS = 1_000_000;
/** Growing stops here even short of the target; the size reached is printed. */
const LOAD_BUDGET_MS = 120_000;
/** Pool organizations added per load step (about 800 ratings each). */
const LOAD_STEP = 150;
/** Never more organizations than this, whatever the pool's ratings per organization. */
const MAX_ORGANIZATIONS = 3000;
const REQUEST_TIMEOUT_MS = 30_000;
const DAY_MS = 86_400_000;

const READS = [
  { name: 'GET /v1/scorecard?interval=month', path: '/v1/scorecard?interval=month' },
  { name: 'GET /v1/benchmarks?measure=csat', path: '/v1/benchmarks?measure=csat' },
] as const;

interface ReadCase extends LoadResult {
  name: string;
  size: 'small' | 'large';
  ratings: number;
  dbRoundTripsPerRequest: number;
}

interface JobTiming {
  organizations: number;
  ratings: number;
  milliseconds: number;
  status: string;
  participants: number;
  /** The job's largest request to the database: a snapshot's replacement is one batch, one HTTP request. */
  largestRequestBytes: number;
}

export interface ReportsBenchResult {
  bench: 'reports';
  connections: number;
  warmupSeconds: number;
  seconds: number;
  smallRatings: number;
  largeRatings: number;
  targetRatings: number;
  /** Loading the pool organizations beyond the measured tenant (both loads), and how many. */
  poolOrganizations: number;
  loadMilliseconds: number;
  cases: ReadCase[];
  /** p50 large / p50 small per read (target ≤ 1.2). */
  ratios: { name: string; p50: number; p99: number }[];
  /** The job on the 252-organization pool, then on the large database. */
  jobs: JobTiming[];
}

function externalInput(units: string[], i: number, now: number) {
  // Spread over the last 12 months, a few minutes back from now at the latest.
  return benchRatingInput(units, i, new Date(now - (i % 365) * DAY_MS - 600_000 - (i % 1000) * 1000).toISOString());
}

function internalInput(units: string[], i: number, now: number) {
  const s = (k: number) => ((i + k) % 5) + 1;
  return {
    unitId: units[i % units.length]!,
    occurredOn: new Date(now - ((i * 7) % 365) * DAY_MS - DAY_MS).toISOString().slice(0, 10),
    commitments: s(0),
    internalCulture: s(1),
    empowerment: s(2),
    recognition: s(3),
    leadershipSupport: s(4),
    knowledge: s(1),
    ability: s(2),
    willingness: s(3),
    tenureBand: i % 3 ? 'established' : 'new',
    role: (['frontline', 'support', 'leader'] as const)[i % 3],
    recommendEmployer: i % 11,
  };
}

async function postJson(url: string, bearer: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

export async function runReportsBench(settings: Omit<BenchSettings, 'json'>): Promise<ReportsBenchResult> {
  const isolated = await startIsolatedStack();
  const onExit = () => void isolated.stop();
  process.once('exit', onExit);
  const owner = new pg.Pool({ connectionString: isolated.stack.ownerDatabaseUrl, max: 2 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.connections });
  try {
    const { stack, worker } = isolated;
    const countRatings = async () => {
      const { rows } = await owner.query<{ n: string }>('select (select count(*) from external_ratings) + (select count(*) from internal_ratings) as n');
      return Number(rows[0]!.n);
    };

    // The measured tenant, through the API.
    const created = await postJson(`${worker.url}/v1/tenants`, isolated.operatorToken, {
      name: 'Reports bench',
      industry: 'retail',
      sizeBand: '50-249',
      region: 'ES',
      benchmarkOptIn: true,
    });
    const apiKey = (created.apiKey as { secret: string }).secret;
    const tenantId = (created.tenant as { id: string }).id;
    const units: string[] = [];
    for (let i = 0; i < UNITS; i++) units.push((await postJson(`${worker.url}/v1/units`, apiKey, { name: `Unit ${i}`, kind: 'touchpoint' })).id as string);
    const now = Date.now();
    for (let start = 0; start < SMALL_EXTERNAL; start += BATCH_ITEMS) {
      const items = Array.from({ length: Math.min(BATCH_ITEMS, SMALL_EXTERNAL - start) }, (_, k) => externalInput(units, start + k, now));
      await postJson(`${worker.url}/v1/external-ratings/batch`, apiKey, { items });
    }
    // Internal ratings of ended months are refused by the API (their figures are frozen once published), so the year of them is written as the owner.
    await seedInternalRatings(owner, tenantId, Array.from({ length: SMALL_INTERNAL }, (_, k) => internalInput(units, k, now)));

    const runJob = async (): Promise<JobTiming> => {
      const ratings = await countRatings();
      const { rows } = await owner.query<{ n: string }>('select count(*) as n from tenants');
      stack.endpoint.resetStats();
      const { run, milliseconds } = await runBenchmarkWorkflow(worker.url, isolated.operatorToken);
      const summary = (run.summary ?? {}) as { participants?: number };
      const { largestRequestBytes } = stack.endpoint.stats();
      return { organizations: Number(rows[0]!.n), ratings, milliseconds, status: String(run.status), participants: summary.participants ?? Number.NaN, largestRequestBytes };
    };

    const cases: ReadCase[] = [];
    const measureReads = async (size: 'small' | 'large') => {
      const ratings = await countRatings();
      for (const read of READS) {
        const url = new URL(`${worker.url}${read.path}`);
        const get = async () => isSuccess(await sendRequest(agent, url, { headers: { Authorization: `Bearer ${apiKey}` }, timeoutMs: REQUEST_TIMEOUT_MS }));
        // A read that fails outright would only measure error handling: stop instead.
        if (!(await get())) {
          const response = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
          throw new Error(`${read.name} failed before the bench: ${response.status} ${await response.text()}`);
        }
        let tripsBefore = 0;
        const load = await closedLoop(settings, get, () => (tripsBefore = stack.endpoint.stats().roundTrips));
        const trips = stack.endpoint.stats().roundTrips - tripsBefore;
        cases.push({ name: read.name, size, ratings, ...load, dbRoundTripsPerRequest: load.requests ? trips / load.requests : Number.NaN });
      }
      return ratings;
    };

    // Small: the measured tenant alone. The job runs first, so the benchmark read finds a snapshot
    // (its cohort is suppressed: one organization).
    await runJob();
    // Fresh planner statistics on both sides, so the comparison is not one of stale plans.
    await owner.query('analyze');
    const smallRatings = await measureReads('small');

    // The reference pool, then the job on it.
    const loadStarted = performance.now();
    const pool = await loadReferencePool({ databaseUrl: stack.ownerDatabaseUrl, now: new Date(now) });
    const jobs: JobTiming[] = [await runJob()];

    // Grow with more organizations of the same generator until the target or the budget.
    let organizations = POOL_ORGANIZATIONS;
    let total = await countRatings();
    while (total < TARGET_RATINGS && performance.now() - loadStarted < LOAD_BUDGET_MS && organizations < MAX_ORGANIZATIONS) {
      const perOrganization = (pool.externalRatings + pool.internalRatings) / POOL_ORGANIZATIONS;
      const wanted = Math.ceil((TARGET_RATINGS - total) / perOrganization);
      organizations = Math.min(MAX_ORGANIZATIONS, organizations + Math.min(LOAD_STEP, Math.max(1, wanted)));
      await loadReferencePool({ databaseUrl: stack.ownerDatabaseUrl, now: new Date(now), organizations });
      total = await countRatings();
    }
    const loadMilliseconds = performance.now() - loadStarted;
    await owner.query('analyze');
    jobs.push(await runJob());
    const largeRatings = await measureReads('large');

    const ratios = READS.map((read) => {
      const small = cases.find((c) => c.name === read.name && c.size === 'small')!;
      const large = cases.find((c) => c.name === read.name && c.size === 'large')!;
      return { name: read.name, p50: large.p50Ms / small.p50Ms, p99: large.p99Ms / small.p99Ms };
    });
    return {
      bench: 'reports',
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      smallRatings,
      largeRatings,
      targetRatings: TARGET_RATINGS,
      poolOrganizations: organizations,
      loadMilliseconds,
      cases,
      ratios,
      jobs,
    };
  } finally {
    agent.destroy();
    await owner.end();
    await isolated.stop();
    process.off('exit', onExit);
  }
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

export function reportsRows(result: ReportsBenchResult): TableRow[] {
  return result.cases.map((c) => ({
    bench: 'reports',
    case: `${c.name} (${thousands(c.ratings)} ratings)`,
    'req/s': c.requestsPerSecond,
    'p50 ms': c.p50Ms,
    'p99 ms': c.p99Ms,
    'non-2xx': c.non2xx,
    errors: c.errors,
    'DB trips/req': c.dbRoundTripsPerRequest,
  }));
}

export function reportsNotes(result: ReportsBenchResult): string[] {
  const reached = result.largeRatings >= result.targetRatings ? '' : ` (target ${thousands(result.targetRatings)} not reached within the load budget)`;
  return [
    `reports: ${result.connections} connections, ${result.warmupSeconds} s warm-up, ${result.seconds} s measured per case; ` +
      `small = ${thousands(result.smallRatings)} ratings (the measured tenant alone), large = ${thousands(result.largeRatings)} ratings${reached}, ` +
      `${thousands(result.poolOrganizations)} pool organizations + the measured tenant, loaded in ${(result.loadMilliseconds / 1000).toFixed(1)} s`,
    ...result.ratios.map((r) => `reports: p99 large / small, ${r.name} = ${r.p99.toFixed(2)}`),
    ...result.jobs.map(
      (job, i) =>
        `reports: benchmark job${i === 0 ? ` on the ${POOL_ORGANIZATIONS}-organization pool` : ' on the large database'} (${thousands(job.organizations)} tenants, ` +
        `${thousands(job.ratings)} ratings): ${thousands(job.milliseconds)} ms, ${job.status}, ${job.participants} participants, ` +
        `largest DB request ${(job.largestRequestBytes / 2 ** 20).toFixed(2)} MiB (the local endpoint takes ${NEON_MAX_REQUEST_BYTES / 2 ** 20} MiB, as Neon does)`,
    ),
  ];
}

export function reportsRatios(result: ReportsBenchResult): Ratio[] {
  const sizes = `${compact(result.largeRatings)} / ${compact(result.smallRatings)} ratings`;
  return [
    // Reads come from rollups, so the raw ratings' count should not show.
    ...result.ratios.map((r): Ratio => ({ bench: 'reports', name: `p50 ${sizes}, ${r.name}`, value: r.p50, target: { atMost: 1.2 } })),
    // The credential check, then the report's one batch.
    { bench: 'reports', name: 'DB round trips per report read, most', value: Math.max(...result.cases.map((c) => c.dbRoundTripsPerRequest)), target: { atMost: 1 } },
  ];
}

/** 1,000,116 → `1.0M`, 11,000 → `11k`. */
const compact = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n / 1e3)}k`);

export const reportsBench: Bench<ReportsBenchResult> = { run: runReportsBench, rows: reportsRows, notes: reportsNotes, ratios: reportsRatios };

runAsScript(import.meta.url, reportsBench);
