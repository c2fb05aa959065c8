/**
 * The exactly-once load driver: N external ratings sent to a running worker as single POSTs and
 * batches over C keep-alive connections, each request with its own Idempotency-Key, retried as a
 * careful client would (every failure or timeout, honoring `Retry-After`, else backing off), plus
 * deliberate retries: duplicates of finished requests, duplicates racing their original on another
 * connection, and first attempts abandoned after a few milliseconds. Then `verifyLoad` checks the
 * database: exactly N rows, each request's rows exactly once, the ids the API answered are the ids
 * stored, rollups equal a recomputation, and no 5xx but 503. `npm run test:load` and
 * tests/api/faults.test.ts both drive it.
 */
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { benchRatingInput, exchange, type HttpAnswer, percentile } from '../../bench/common.ts';
import { mulberry32 } from '../../db/pool/random.ts';
import { compareRollups, ROLLUP_TABLES } from '../lib/rollups.ts';

export interface LoadPlan {
  /** Distinct ratings to store. */
  ratings: number;
  /** Share of the ratings sent in batches (the rest as single POSTs). */
  batchShare: number;
  batchSize: number;
  connections: number;
  /** Share of requests sent a second time on purpose once answered, and racing their original. */
  duplicateShare: number;
  concurrentDuplicateShare: number;
  /** Share of requests whose first attempt is abandoned after `abandonAfterMs` (a client timeout). */
  abandonShare: number;
  abandonAfterMs: number;
  /** Client timeout of an ordinary attempt. */
  requestTimeoutMs: number;
  /** Longest wait before a retry, whatever `Retry-After` says (tests shorten the wait). */
  maxRetryWaitMs: number;
  /** Bounds: the whole run, and attempts per request. */
  deadlineMs: number;
  maxAttempts: number;
  seed: number;
}

export const FULL_PLAN: LoadPlan = {
  ratings: 20_000,
  batchShare: 0.5,
  batchSize: 50,
  connections: 50,
  duplicateShare: 0.04,
  concurrentDuplicateShare: 0.02,
  abandonShare: 0.01,
  abandonAfterMs: 2,
  requestTimeoutMs: 15_000,
  maxRetryWaitMs: 5_000,
  deadlineMs: 300_000,
  maxAttempts: 30,
  seed: 20261123,
};

/** A tenant with units and a key to write with: what a run writes to. */
export interface LoadTarget {
  workerUrl: string;
  apiKey: string;
  tenantId: string;
  units: string[];
}

interface Send {
  key: string;
  path: '/v1/external-ratings' | '/v1/external-ratings/batch';
  body: string;
  items: number;
}

export interface LoadResult {
  sends: number;
  /** Attempts, retries and duplicates included. */
  requests: number;
  elapsedSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Per status ('timeout' and 'error' for attempts without an answer). */
  statuses: Record<string, number>;
  /** Attempts after the first, for any reason. */
  retries: number;
  /** Deliberate second sends: after the answer, and racing the original. */
  duplicates: number;
  concurrentDuplicates: number;
  abandoned: number;
  /** 2xx answers with `Idempotent-Replayed: true`. */
  replays: number;
  /** 5xx answers other than 503: must be 0. */
  unexpected5xx: number;
  /** Every broken rule seen by the client: must be empty. */
  violations: string[];
  /** What each request's 2xx answers said was stored: key → rating ids. */
  stored: Map<string, string[]>;
  expected: Map<string, number>;
}

export interface LoadHooks {
  /** After each request (duplicates not counted) got its 2xx, with how many have. */
  onSendDone?: (done: number) => void;
  /** Every answer, with how long it took: a test checks what came back while it broke the database. */
  onAnswer?: (answer: HttpAnswer, elapsedMs: number, key: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates a tenant (as the operator) with four units, for a run. */
export async function prepareTarget(workerUrl: string, operatorToken: string, name = 'Load'): Promise<LoadTarget> {
  const post = async (path: string, bearer: string, body: unknown) => {
    const response = await fetch(`${workerUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, any>;
  };
  const created = await post('/v1/tenants', operatorToken, { name, industry: 'retail', sizeBand: '50-249', region: 'ES' });
  const apiKey = created.apiKey.secret as string;
  const units: string[] = [];
  for (let i = 0; i < 4; i++) units.push((await post('/v1/units', apiKey, { name: `Counter ${i}`, kind: 'touchpoint' })).id);
  return { workerUrl, apiKey, tenantId: created.tenant.id, units };
}

/** The requests of a plan: each rating once, tagged (in `comment`) with its request's key. */
function plannedSends(plan: LoadPlan, units: string[], runId: string): Send[] {
  const sends: Send[] = [];
  const batched = Math.round((plan.ratings * plan.batchShare) / plan.batchSize) * plan.batchSize;
  // Ratings spread over the last 30 days, so rollups of many days and both customer kinds change.
  const rating = (i: number, key: string) => ({
    ...benchRatingInput(units, i, new Date(Date.now() - (i % 30) * 86_400_000 - 60_000 - (i % 1000) * 1000).toISOString()),
    comment: key,
  });
  let i = 0;
  for (; i < batched; i += plan.batchSize) {
    const key = `${runId}-b${i}`;
    const items = Array.from({ length: Math.min(plan.batchSize, batched - i) }, (_, j) => rating(i + j, key));
    sends.push({ key, path: '/v1/external-ratings/batch', body: JSON.stringify({ items }), items: items.length });
  }
  for (; i < plan.ratings; i++) {
    const key = `${runId}-s${i}`;
    sends.push({ key, path: '/v1/external-ratings', body: JSON.stringify(rating(i, key)), items: 1 });
  }
  return sends;
}

/** The ids a 2xx answer says were stored: a rating's `id`, or a batch's `ids`. */
function storedIds(body: string): string[] {
  const json = JSON.parse(body) as { id?: string; ids?: string[] };
  return json.ids ?? (json.id ? [json.id] : []);
}

/** Seconds of a `Retry-After` header (delta-seconds form), if any. */
function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export async function runLoad(target: LoadTarget, plan: LoadPlan, hooks: LoadHooks = {}): Promise<LoadResult> {
  const rng = mulberry32(plan.seed);
  const runId = `load-${plan.seed}-${Date.now().toString(36)}`;
  const sends = plannedSends(plan, target.units, runId);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const violations: string[] = [];
  const stored = new Map<string, string[]>();
  const counts = { requests: 0, retries: 0, duplicates: 0, concurrentDuplicates: 0, abandoned: 0, replays: 0, unexpected5xx: 0, done: 0 };
  const started = performance.now();
  const deadline = started + plan.deadlineMs;
  const count = (status: string) => (statuses[status] = (statuses[status] ?? 0) + 1);
  const violation = (message: string) => {
    // A broken server could repeat one fault thousands of times: keep the report readable.
    if (violations.length < 50) violations.push(message);
  };

  /** One request to its 2xx (or to a bound), retrying as a client that wants exactly-once would. */
  async function deliver(send: Send, abandonFirst: boolean): Promise<void> {
    const url = new URL(send.path, target.workerUrl);
    for (let attempt = 1; ; attempt++) {
      if (attempt > plan.maxAttempts || performance.now() > deadline) {
        return violation(`${send.key}: no 2xx after ${attempt - 1} attempts`);
      }
      if (attempt > 1) counts.retries++;
      counts.requests++;
      const abandon = abandonFirst && attempt === 1;
      const sent = performance.now();
      let wait = Math.min(plan.maxRetryWaitMs, 50 * 2 ** Math.min(attempt, 6));
      try {
        const answer = await exchange(agent, url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${target.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': send.key },
          body: send.body,
          timeoutMs: abandon ? plan.abandonAfterMs : plan.requestTimeoutMs,
        });
        latencies.push(performance.now() - sent);
        hooks.onAnswer?.(answer, performance.now() - sent, send.key);
        count(String(answer.status));
        if (answer.status >= 200 && answer.status < 300) {
          if (answer.headers['idempotent-replayed'] === 'true') counts.replays++;
          const ids = storedIds(answer.body);
          const first = stored.get(send.key);
          if (!first) stored.set(send.key, ids);
          else if (!isDeepStrictEqual(first, ids)) violation(`${send.key}: two 2xx answers name different ratings`);
          if (ids.length !== send.items) violation(`${send.key}: ${ids.length} ids for ${send.items} items`);
          return;
        }
        const contentType = String(answer.headers['content-type'] ?? '');
        if (!contentType.startsWith('application/problem+json')) violation(`${send.key}: ${answer.status} is not problem+json`);
        if (answer.status >= 500 && answer.status !== 503) {
          counts.unexpected5xx++;
          violation(`${send.key}: ${answer.status} ${answer.body.slice(0, 200)}`);
        } else if (answer.status !== 409 && answer.status !== 429 && answer.status !== 503) {
          // Any other 4xx means the request itself is wrong: retrying would not help.
          return violation(`${send.key}: ${answer.status} ${answer.body.slice(0, 200)}`);
        }
        const after = retryAfterMs(answer.headers['retry-after']);
        if (answer.status !== 500 && after === undefined) violation(`${send.key}: ${answer.status} without Retry-After`);
        if (after !== undefined) wait = Math.min(plan.maxRetryWaitMs, after);
      } catch (error) {
        const timedOut = error instanceof Error && error.message.startsWith('no answer within');
        count(timedOut ? 'timeout' : 'error');
        if (abandon) counts.abandoned++;
        if (abandon) wait = 0;
      }
      // Jitter, so that clients told the same Retry-After do not come back in one burst.
      await sleep(wait * (0.75 + 0.5 * rng.next()));
    }
  }

  // Each connection's loop takes the next request; a racing duplicate is queued right behind its
  // original, so another loop sends it at about the same moment.
  const queue: { send: Send; duplicate: 'none' | 'after' | 'racing' | 'racer'; abandon: boolean }[] = [];
  for (const send of sends) {
    const roll = rng.next();
    const duplicate = roll < plan.concurrentDuplicateShare ? 'racing' : roll < plan.concurrentDuplicateShare + plan.duplicateShare ? 'after' : 'none';
    queue.push({ send, duplicate, abandon: duplicate === 'none' && rng.chance(plan.abandonShare) });
    if (duplicate === 'racing') queue.push({ send, duplicate: 'racer', abandon: false });
  }
  queue.reverse();
  const loop = async () => {
    for (let task = queue.pop(); task; task = queue.pop()) {
      if (task.duplicate === 'racer') counts.concurrentDuplicates++;
      await deliver(task.send, task.abandon);
      if (task.duplicate === 'after') {
        counts.duplicates++;
        await deliver(task.send, false);
      }
      if (task.duplicate !== 'racer') hooks.onSendDone?.(++counts.done);
    }
  };
  try {
    await Promise.all(Array.from({ length: plan.connections }, loop));
  } finally {
    agent.destroy();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    sends: sends.length,
    requests: counts.requests,
    elapsedSeconds,
    requestsPerSecond: counts.requests / elapsedSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    statuses,
    retries: counts.retries,
    duplicates: counts.duplicates + counts.concurrentDuplicates,
    concurrentDuplicates: counts.concurrentDuplicates,
    abandoned: counts.abandoned,
    replays: counts.replays,
    unexpected5xx: counts.unexpected5xx,
    violations,
    stored,
    expected: new Map(sends.map((send) => [send.key, send.items])),
  };
}

export interface Verification {
  rows: number;
  /** Every broken invariant: empty when the run was exactly once. */
  failures: string[];
}

/**
 * What the database holds after a run, through the owner login: exactly `plan.ratings` rows, each
 * request's rows exactly once (its key is in every row's `comment`: a half-written batch or a
 * duplicate shows), the ids the API answered are the ids stored, rollups equal a recomputation.
 */
export async function verifyLoad(ownerDatabaseUrl: string, target: LoadTarget, plan: LoadPlan, result: LoadResult): Promise<Verification> {
  const pool = new pg.Pool({ connectionString: ownerDatabaseUrl, max: 1 });
  const failures = [...result.violations];
  try {
    const { rows } = await pool.query<{ key: string; n: number; ids: string[] }>(
      'select comment as key, count(*)::int as n, array_agg(id::text order by id) as ids from external_ratings where tenant_id = $1 group by comment',
      [target.tenantId],
    );
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    if (total !== plan.ratings) failures.push(`${total} rows stored, expected exactly ${plan.ratings}`);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    let wrong = 0;
    for (const [key, items] of result.expected) {
      const row = byKey.get(key);
      const answered = [...(result.stored.get(key) ?? [])].sort();
      if (row?.n !== items || !isDeepStrictEqual(row.ids, answered)) {
        if (wrong++ < 10) failures.push(`${key}: ${row?.n ?? 0} rows stored for ${items} items (ids answered: ${answered.length})`);
      }
    }
    if (wrong > 10) failures.push(`... ${wrong} requests in all stored other than once`);
    for (const key of byKey.keys()) if (!result.expected.has(key)) failures.push(`rows of an unknown request: ${key}`);
    for (const rollup of ROLLUP_TABLES) {
      const { live, recomputed, empty } = await compareRollups(pool, rollup, target.tenantId);
      if (!isDeepStrictEqual(live, recomputed)) failures.push(`${rollup.table} differ from a recomputation from the raw rows`);
      if (empty.length > 0) failures.push(`${rollup.table}: ${empty.length} rows with a zero count (nothing was erased)`);
    }
    if (result.unexpected5xx > 0) failures.push(`${result.unexpected5xx} responses were 5xx other than 503`);
    return { rows: total, failures };
  } finally {
    await pool.end();
  }
}

/** The figures of a run, as lines for a terminal. */
export function describeLoad(plan: LoadPlan, result: LoadResult, verification: Verification): string[] {
  const statuses = Object.entries(result.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  return [
    `load: ${plan.ratings.toLocaleString('en-US')} ratings in ${result.sends.toLocaleString('en-US')} requests ` +
      `(batches of ${plan.batchSize} for ${Math.round(plan.batchShare * 100)}%), ${plan.connections} connections`,
    `load: ${result.requests.toLocaleString('en-US')} HTTP requests in ${result.elapsedSeconds.toFixed(1)} s: ` +
      `${Math.round(result.requestsPerSecond).toLocaleString('en-US')} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`,
    `load: statuses ${statuses}`,
    `load: retries ${result.retries} (${((100 * result.retries) / result.sends).toFixed(1)}% of requests), ` +
      `deliberate duplicates ${result.duplicates} (${result.concurrentDuplicates} racing their original), ` +
      `abandoned first attempts ${result.abandoned}, replays ${result.replays}`,
    `load: rows stored ${verification.rows.toLocaleString('en-US')} (expected ${plan.ratings.toLocaleString('en-US')}), ` +
      `5xx other than 503: ${result.unexpected5xx}`,
    verification.failures.length ? `load: FAILED\n  ${verification.failures.join('\n  ')}` : 'load: every invariant held',
  ];
}
