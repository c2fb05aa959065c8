import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { EndpointStats } from '../../scripts/lib/neon-endpoint.ts';

export const workerUrl = inject('workerUrl');
export const operatorToken = inject('operatorToken');

/** A request to the worker under test; `key` becomes the bearer token, `json` the body. */
export function api(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
  const { key, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== undefined) headers.set('Authorization', `Bearer ${key}`);
  if (json !== undefined) headers.set('Content-Type', 'application/json');
  return fetch(`${workerUrl}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
}

/**
 * A pool on the owner login (row-level security does not apply), for what a test checks or sets up
 * in the database directly; ended after the file's tests. Call it at the top of a test file.
 */
export function ownerPool(max = 1): pg.Pool {
  const pool = new pg.Pool({ connectionString: inject('ownerDatabaseUrl'), max });
  afterAll(() => pool.end());
  return pool;
}

export const validTenant = { name: 'Acme Insurance', industry: 'insurance', sizeBand: '250-999', region: 'ES' } as const;

export interface CreatedTenant {
  tenant: {
    id: string;
    name: string;
    industry: string;
    sizeBand: string;
    region: string;
    benchmarkOptIn: boolean;
    createdAt: string;
    updatedAt: string;
  };
  apiKey: { id: string; secret: string; displayPrefix: string; scopes: string[] };
}

/** A new tenant, through the operator route, with its admin key. */
export async function createTenant(overrides: Record<string, unknown> = {}): Promise<CreatedTenant> {
  const response = await api('/v1/tenants', { method: 'POST', key: operatorToken, json: { ...validTenant, ...overrides } });
  if (response.status !== 201) throw new Error(`createTenant: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedTenant;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { location: string; pointer: string; detail: string }[];
}

/** Asserts the RFC 9457 shape and returns the body. */
export async function problemOf(response: Response): Promise<Problem> {
  const contentType = response.headers.get('content-type');
  if (contentType !== 'application/problem+json') {
    throw new Error(`expected application/problem+json, got ${contentType}: ${await response.text()}`);
  }
  const body = (await response.json()) as Problem;
  for (const field of ['type', 'title', 'detail', 'instance'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') throw new Error(`problem lacks ${field}: ${JSON.stringify(body)}`);
  }
  if (body.status !== response.status) throw new Error(`problem status ${body.status} != ${response.status}`);
  if (body.instance !== response.headers.get('x-request-id')) throw new Error('problem instance is not the request id');
  return body;
}

/** What the local Neon endpoint has counted since its last reset. */
export async function endpointStats(): Promise<EndpointStats> {
  return (await (await fetch(`${inject('endpointUrl')}/_stats`)).json()) as EndpointStats;
}

/** Round trips the local Neon endpoint has seen (HTTP requests + WebSocket sessions). */
export async function roundTrips(): Promise<number> {
  return (await endpointStats()).roundTrips;
}

export interface IssuedApiKey {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  rotatedFromId: string | null;
  secret: string;
}

/** A new API key of the tenant whose admin key is `adminKey`, through the API. */
export async function issueApiKey(adminKey: string, body: Record<string, unknown> = {}): Promise<IssuedApiKey> {
  const response = await api('/v1/api-keys', {
    method: 'POST',
    key: adminKey,
    json: { name: 'Test key', scopes: ['ratings:read'], ...body },
  });
  if (response.status !== 201) throw new Error(`issueApiKey: ${response.status} ${await response.text()}`);
  return (await response.json()) as IssuedApiKey;
}

/** Every item of a cursor-paginated list, following `nextCursor` page by page. */
export async function listAll<T>(path: string, key: string, limit = 100): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(path, workerUrl);
    url.searchParams.set('limit', String(limit));
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await api(url.pathname + url.search, { key });
    if (response.status !== 200) throw new Error(`listAll ${path}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { data: T[]; nextCursor: string | null };
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export interface IssuedPartnerClient {
  id: string;
  clientId: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  clientSecret: string;
}

/** A new partner client of the tenant whose admin key is `adminKey`, through the API. */
export async function createPartnerClient(adminKey: string, body: Record<string, unknown> = {}): Promise<IssuedPartnerClient> {
  const response = await api('/v1/partner-clients', {
    method: 'POST',
    key: adminKey,
    json: { name: 'Test client', scopes: ['ratings:write', 'reports:read'], ...body },
  });
  if (response.status !== 201) throw new Error(`createPartnerClient: ${response.status} ${await response.text()}`);
  return (await response.json()) as IssuedPartnerClient;
}

/** RFC 6749 §2.3.1: HTTP Basic over the form-urlencoded client id and secret. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** POST /oauth/token with `params` form-encoded. */
export function requestToken(params: Record<string, string> | string, headers: Record<string, string> = {}, baseUrl = workerUrl) {
  return fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
}

/** An access token for `client` (client credentials, HTTP Basic). */
export async function accessToken(client: IssuedPartnerClient, scope?: string, baseUrl = workerUrl): Promise<string> {
  const response = await requestToken(
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { Authorization: basicAuth(client.clientId, client.clientSecret) },
    baseUrl,
  );
  if (response.status !== 200) throw new Error(`accessToken: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface Unit {
  id: string;
  name: string;
  kind: 'touchpoint' | 'internal-supplier';
  parentId: string | null;
  externalRef: string | null;
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A new unit (a touchpoint unless `overrides` says otherwise) of the tenant whose admin key is `adminKey`, through the API. */
export async function createUnit(adminKey: string, overrides: Record<string, unknown> = {}): Promise<Unit> {
  const response = await api('/v1/units', {
    method: 'POST',
    key: adminKey,
    json: { name: 'Test unit', kind: 'touchpoint', ...overrides },
  });
  if (response.status !== 201) throw new Error(`createUnit: ${response.status} ${await response.text()}`);
  return (await response.json()) as Unit;
}

/** The UTC date `days` from today, as YYYY-MM-DD. */
export function utcDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A valid internal rating body for `unitId` (every score, today), with `overrides` applied. */
export function internalRating(unitId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    unitId,
    occurredOn: utcDate(),
    commitments: 2,
    internalCulture: 3,
    empowerment: 2,
    recognition: 1,
    leadershipSupport: 3,
    knowledge: 4,
    ability: 3,
    willingness: 5,
    tenureBand: 'new',
    role: 'frontline',
    recommendEmployer: 7,
    ...overrides,
  };
}

/** A valid external rating body for `unitId` (a minute ago, satisfied), with `overrides` applied. */
export function externalRating(unitId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    unitId,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    quality: 4,
    overall: 4,
    customerKind: 'occasional',
    channel: 'in-person',
    ...overrides,
  };
}

/** Sends `items` (at most 1,000) through `POST /v1/external-ratings/batch`; their ids, in the items' order. */
export async function createExternalRatings(key: string, items: Record<string, unknown>[]): Promise<string[]> {
  const response = await api('/v1/external-ratings/batch', { method: 'POST', key, json: { items } });
  if (response.status !== 201) throw new Error(`createExternalRatings: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ids: string[] }).ids;
}

/**
 * A key of the tenant whose admin key is `adminKey` that only writes internal ratings: `admin` does
 * not imply `internal-ratings:write`, and no credential may hold it with a reading scope.
 */
export async function internalWriterKey(adminKey: string): Promise<string> {
  return (await issueApiKey(adminKey, { name: 'Internal ratings writer', scopes: ['internal-ratings:write'] })).secret;
}

/** Sends `items` (at most 1,000) through `POST /v1/internal-ratings/batch`, with a writer key (`internalWriterKey`). */
export async function createInternalRatings(key: string, items: Record<string, unknown>[]): Promise<void> {
  const response = await api('/v1/internal-ratings/batch', { method: 'POST', key, json: { items } });
  if (response.status !== 201 && response.status !== 202) throw new Error(`createInternalRatings: ${response.status} ${await response.text()}`);
}

/** A tiny well-formedness check: every tag closes in order, attributes are quoted, entities are known. */
export function assertWellFormedSvg(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let match = tag.exec(svg); match; match = tag.exec(svg)) {
    const between = svg.slice(last, match.index);
    if (/[<>]/.test(between)) throw new Error(`stray markup: ${between}`);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(between)) throw new Error(`bad entity: ${between}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element`);
    } else if (!selfClosing) stack.push(name!);
  }
  if (svg.slice(last).trim() !== '' || stack.length > 0) throw new Error(`unclosed: ${stack.join(', ')}`);
  if (!svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')) throw new Error('not a standalone SVG root');
}

export interface JobRun {
  id: string;
  job: string;
  trigger: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  summary: Record<string, unknown>;
  error: string | null;
  progress: { stepsDone: number; stepsTotal: number | null; tenantsDone: number; tenantsTotal: number | null; lastStep: string | null };
}

/** Polls GET /v1/admin/job-runs/{id} until the run has ended (or `timeoutMs` passes) and returns it. */
export async function waitForJobRun(id: string, { baseUrl = workerUrl, timeoutMs = 60_000 } = {}): Promise<JobRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/admin/job-runs/${id}`, { headers: { Authorization: `Bearer ${operatorToken}` } });
    if (response.status !== 200) throw new Error(`waitForJobRun: ${response.status} ${await response.text()}`);
    const run = (await response.json()) as JobRun;
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`waitForJobRun: run ${id} still ${run.status} after ${timeoutMs} ms: ${JSON.stringify(run.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a benchmark run (202, Location) and returns the queued run as answered. */
export async function startBenchmarkRun(body: unknown = {}, baseUrl = workerUrl): Promise<JobRun> {
  const response = await fetch(`${baseUrl}/v1/admin/jobs/benchmarks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`startBenchmarkRun: ${response.status} ${await response.text()}`);
  const run = (await response.json()) as JobRun;
  if (response.headers.get('location') !== `/v1/admin/job-runs/${run.id}`) throw new Error(`startBenchmarkRun: Location ${response.headers.get('location')}`);
  return run;
}

/** Starts a benchmark run and polls it to its end: what the synchronous route used to answer. */
export async function runBenchmarkJob(body: unknown = {}, baseUrl = workerUrl): Promise<JobRun> {
  return waitForJobRun((await startBenchmarkRun(body, baseUrl)).id, { baseUrl });
}

/** Polls `check` every 50 ms until it gives a truthy value (returned), or fails naming `what` after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
