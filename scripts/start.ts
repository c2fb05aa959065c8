/**
 * `npm start`: the whole local stack in one process tree — embedded Postgres (migrated, with the
 * reference pool), the local Neon endpoint and the worker in workerd (Miniflare, the deploy bundle as the
 * tests run it, built once per content of the sources: scripts/lib/worker.ts) — then a demo tenant
 * with 13 months of data, ranked against the pool, and the URLs to try. Ctrl-C stops everything.
 * `DATABASE_URL` (a real Neon database) skips Postgres and the endpoint; `OPERATOR_TOKEN` and `PORT`
 * override the local defaults.
 *
 * The worker boots while Postgres and the pool load (it needs only their addresses), and the demo is
 * written while the pool loads (it needs the worker, not the pool); the "Ready" line says how long
 * each step took. Anything that goes wrong is said in one line, never a stack trace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isFree } from './lib/ports.ts';
import { generateSigningKeys } from './lib/signing-keys.ts';
// The database's modules (pg, drizzle's migrator) are loaded in main(), once the worker's process is on its way.
import type { LocalStack } from './lib/stack.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STATE_DIR = path.join(ROOT, '.local');
const PORT = Number(process.env.PORT ?? 8787);
/** Below Linux's ephemeral range, so no outgoing socket can hold them (STACK.md). */
const POSTGRES_PORT = Number(process.env.LOCAL_POSTGRES_PORT ?? 25432);
const ENDPOINT_PORT = Number(process.env.LOCAL_NEON_ENDPOINT_PORT ?? 25480);
/** A first run writes about 200 MB (the pool, its rollups and indexes); this leaves room to work. */
const FIRST_RUN_FREE_BYTES = 512 * 1024 * 1024;
const base = `http://127.0.0.1:${PORT}`;

/** A step's line; on a terminal it first clears the pool's progress counter, which redraws below it. */
const step = (message: string) => console.log(`${process.stdout.isTTY ? '\r\x1b[K' : ''}\x1b[36m▸\x1b[0m ${message}`);
const since = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** How long each step took, said in the "Ready" line, so a slow start shows where its time went. */
const timings: [string, number][] = [];
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const begun = Date.now();
  const result = await work();
  timings.push([name, Date.now() - begun]);
  return result;
}

/** A failure the user can act on: printed as its message alone. */
class StartError extends Error {}

/** A secret generated once and kept in .local/, so restarts print the same values. */
async function persistentSecret(file: string, make: () => string): Promise<string> {
  const full = path.join(STATE_DIR, file);
  if (existsSync(full)) return (await readFile(full, 'utf8')).trim();
  const value = make();
  await writeFile(full, `${value}\n`, { mode: 0o600 });
  return value;
}

/** Refuses to start when a port is taken or the disk is nearly full, saying which and what to do. */
async function preflight(local: boolean): Promise<void> {
  const ports: [number, string][] = [[PORT, 'PORT']];
  if (local) ports.push([POSTGRES_PORT, 'LOCAL_POSTGRES_PORT'], [ENDPOINT_PORT, 'LOCAL_NEON_ENDPOINT_PORT']);
  for (const [port, variable] of ports) {
    if (!(await isFree(port))) throw new StartError(`port ${port} is in use (another npm start?): stop what holds it, or set ${variable} to another port`);
  }
  if (local && !existsSync(path.join(STATE_DIR, 'postgres'))) {
    const { bavail, bsize } = await statfs(STATE_DIR);
    const free = bavail * bsize;
    if (free < FIRST_RUN_FREE_BYTES) throw new StartError(`not enough disk space: ${Math.round(free / 2 ** 20)} MB free in ${STATE_DIR}, a first start needs ${FIRST_RUN_FREE_BYTES / 2 ** 20} MB`);
  }
}

/** workerd's output, cut to what helps: one line per request — the worker's own, shortened — and anything else as is. */
function relayWorkerOutput(stdout: Readable, stderr: Readable): void {
  for (const stream of [stdout, stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (stopping) return;
      // No stack traces: workerd prints one under each uncaught error, the error's own line says enough.
      if (/^\s+at /.test(line) || line.trim() === '') return;
      // A Workflow step that waits by throwing and being retried (a run of the benchmark job queued behind
      // one that a Ctrl-C interrupted, until that one is declared dead): a wait, not an error.
      if (line.includes('another benchmark run is running')) return;
      let entry: { level?: string; message?: string; clientRequestId?: string | null; method?: string; route?: string | null; status?: number; durationMs?: number } | undefined;
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not one of the worker's JSON lines
      }
      if (entry?.message === 'request' && entry.level === 'info') {
        // This script's own calls (the demo, the job and its polling) are said as steps, not as requests.
        if (entry.clientRequestId !== OWN_REQUEST_ID) console.log(`  ${entry.method} ${entry.route ?? '(no route)'} ${entry.status} ${entry.durationMs} ms`);
      }
      else console.log(line);
    });
  }
}

/** The `X-Request-Id` of this script's own requests, so their log lines can be told from a user's. */
const OWN_REQUEST_ID = 'npm-start';

async function api(pathname: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${base}${pathname}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': OWN_REQUEST_ID, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** The demo tenant's API key: reused while it still works, otherwise a new demo tenant through the API. */
async function demoApiKey(operatorToken: string): Promise<{ key: string; tenantId: string }> {
  const file = path.join(STATE_DIR, 'demo-api-key');
  if (existsSync(file)) {
    const key = (await readFile(file, 'utf8')).trim();
    const check = await api('/v1/tenant', key);
    if (check.ok) return { key, tenantId: ((await check.json()) as { id: string }).id };
  }
  const response = await api('/v1/tenants', operatorToken, {
    method: 'POST',
    body: { name: 'Demo Retail (Spain)', industry: 'retail', sizeBand: '250-999', region: 'ES', benchmarkOptIn: true },
  });
  if (response.status !== 201) throw new StartError(`creating the demo tenant failed: ${response.status} ${await response.text()}`);
  const { tenant, apiKey } = (await response.json()) as { tenant: { id: string }; apiKey: { secret: string } };
  await writeFile(file, `${apiKey.secret}\n`, { mode: 0o600 });
  return { key: apiKey.secret, tenantId: tenant.id };
}

/**
 * Targets a retail chain might set itself, each measured from the first month of the demo's history
 * and due at the end of the sixth month from now, and one for a store: the dashboard shows the road.
 */
function demoTargets(units: { id: string; name: string }[], start: Date, now: Date) {
  const baseline = { period: start.toISOString().slice(0, 7) };
  const deadline = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 7, 0)).toISOString().slice(0, 10);
  const madrid = units.find((unit) => unit.name.startsWith('Madrid'))!.id;
  return [
    { measure: 'csat', target: 0.8, baseline, deadline },
    { measure: 'nps', target: 30, baseline, deadline },
    { measure: 'quality', target: 4.2, baseline, deadline },
    { measure: 'opportunity', target: 4, baseline, deadline },
    { measure: 'supportIndex', target: 3.6, baseline, deadline },
    { measure: 'enps', target: 10, baseline, deadline },
    { measure: 'csat', unitId: madrid, target: 0.85, baseline, deadline },
  ];
}

/**
 * Ends the job runs a stopped `npm start` left queued or running. Ctrl-C stops wrangler in the middle of
 * a run (the earlier months' snapshots run after "Ready"), and the local Workflow engine was seen not to
 * resume that instance: its run would keep the job's one running slot, and the next run (a new day's
 * benchmarks) would wait behind it until this script gives up.
 */
async function endInterruptedRuns(databaseUrl: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `update job_runs set status = 'failed', finished_at = now(), error = 'interrupted: npm start stopped while it ran' where status in ('queued', 'running')`,
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Starts the benchmark job as the operator for the periods that end before `at`: a Workflow, so 202 and a job run. */
async function startBenchmarks(operatorToken: string, at?: Date): Promise<string> {
  const response = await api('/v1/admin/jobs/benchmarks', operatorToken, { method: 'POST', body: at ? { at: at.toISOString() } : {} });
  if (response.status !== 202) throw new StartError(`the benchmark job did not start: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/**
 * Waits for a benchmark run, read in the database: until its snapshots are published (`'published'`: the demo
 * is ranked; the run goes on writing each tenant's webhook event) or until it has ended (runs take turns, so
 * waiting keeps the next one from queueing behind it).
 */
async function waitForRun(ownerUrl: string, id: string, until: 'published' | 'finished'): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ownerUrl });
  // Ctrl-C stops Postgres under it: the query fails, and that is said (or not, once stopping) where it is awaited.
  client.on('error', () => {});
  await client.connect();
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ status: string; error: string | null; published: boolean }>(
        `select status, error, exists (select 1 from benchmark_snapshots s where s.job_run_id = r.id and s.published_at is not null) as published
         from job_runs r where r.id = $1`,
        [id],
      );
      const run = rows[0]!;
      if (run.status === 'succeeded' || (until === 'published' && run.published)) return;
      if (run.status === 'failed') throw new StartError(`the benchmark job failed: ${run.error ?? 'no reason given'}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
  throw new StartError('the benchmark job did not finish within 120 s');
}

/** The 1st of next month (UTC): a scorecard up to it includes the current month so far. */
function nextMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

let stack: LocalStack | undefined;
let worker: ChildProcess | undefined;
let stopping = false;

/** Stops the worker first (it holds connections), then the endpoint and Postgres. */
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (code === 0) console.log('\nstopping…');
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGINT');
      await exited;
    }
    await stack?.stop().catch(() => {});
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

async function main() {
  // From the process' start, so loading this script's modules counts too.
  const started = performance.timeOrigin;
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  await mkdir(STATE_DIR, { recursive: true });
  const remote = process.env.DATABASE_URL;
  await preflight(!remote);
  // The worker first, in its own process (the other core), which loads Miniflare while its bundle is found or,
  // when the sources changed, built: on a restart it is the longest step.
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/lib/worker-process.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  worker = child;
  relayWorkerOutput(child.stdout!, child.stderr!);
  const operatorToken = process.env.OPERATOR_TOKEN ?? (await persistentSecret('operator-token', () => randomBytes(24).toString('base64url')));
  // Kept across restarts, so access tokens issued before a restart stay valid.
  const signingKeys = await persistentSecret('jwt-signing-keys.json', generateSigningKeys);
  // Kept too: customerRef hashes made under another key could never be matched for erasure.
  const hashSecret = await persistentSecret('hash-secret', () => randomBytes(32).toString('base64url'));
  const vars: Record<string, string> = {
    OPERATOR_TOKEN: operatorToken,
    JWT_SIGNING_KEYS: signingKeys,
    HASH_SECRET: hashSecret,
    // The worker counts requests itself, with the production quota unless these override it.
    RATE_LIMIT_MODE: 'local',
    // Locally, webhook endpoints may be a receiver on this machine (http://127.0.0.1:…).
    WEBHOOK_ALLOW_LOOPBACK: 'true',
  };
  for (const name of ['RATE_LIMIT_PER_WINDOW', 'RATE_LIMIT_WINDOW_SECONDS']) {
    if (process.env[name]) vars[name] = process.env[name];
  }
  // The local stack's addresses are known before it runs, so the worker can boot meanwhile.
  const { APP_LOGIN, DATABASE_NAME, startLocalStack } = await import('./lib/stack.ts');
  const local = {
    databaseUrl: `postgresql://${APP_LOGIN.user}:${APP_LOGIN.password}@127.0.0.1:${POSTGRES_PORT}/${DATABASE_NAME}`,
    endpoint: `http://127.0.0.1:${ENDPOINT_PORT}`,
  };
  vars.DATABASE_URL = remote ?? local.databaseUrl;
  if (!remote) vars.LOCAL_NEON_ENDPOINT = local.endpoint;

  const workerUp = import('./lib/worker.ts').then(async ({ cachedWorkerBuild, miniflareOptions }) => {
    const build = await cachedWorkerBuild(path.join(STATE_DIR, 'worker'));
    child.send({ options: miniflareOptions(vars, { script: build.script, workerOptions: build.workerOptions, port: PORT }) });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (answer: { url?: string; error?: string }) => (answer.error ? reject(new StartError(`the worker did not start: ${answer.error}`)) : resolve()));
      child.once('exit', (code) => reject(new StartError(`the worker exited with code ${code} before it was ready`)));
    });
    return { built: !build.cached };
  });
  child.once('exit', (code) => void stop(code ?? 1));
  // Said where it is awaited below, not as an unhandled rejection meanwhile.
  workerUp.catch(() => {});
  // The pool's and the demo's modules (the schema, drizzle, the generator) load while the worker and Postgres boot.
  const modules = Promise.all([import('../db/pool/demo.ts'), import('./pool.ts')]);

  const database = timed('database', async () => {
    if (remote) {
      step('DATABASE_URL is set: using that database, no local Postgres');
      await (await import('./lib/migrate.ts')).applyMigrations(process.env.MIGRATION_DATABASE_URL ?? remote);
      return { ownerUrl: process.env.MIGRATION_DATABASE_URL ?? remote, poolUrl: process.env.MIGRATION_DATABASE_URL ?? remote };
    }
    step(`PostgreSQL (embedded) on 127.0.0.1:${POSTGRES_PORT}, data in .local/postgres`);
    // Without fsync: what it holds is generated again (delete .local/ after an OS crash), and a first start writes 200 MB.
    stack = await startLocalStack({ dataDir: STATE_DIR, postgresPort: POSTGRES_PORT, endpointPort: ENDPOINT_PORT, fast: true });
    step(`migrations applied; local Neon endpoint on ${stack.endpoint.url} (${since(started)})`);
    const interrupted = await endInterruptedRuns(stack.ownerDatabaseUrl);
    if (interrupted > 0) step(`${interrupted} job run${interrupted === 1 ? '' : 's'} the last stop interrupted: marked failed`);
    // The pool locally as the superuser, which may skip the foreign-key checks of rows generated consistent (db/pool/load.ts).
    return { ownerUrl: stack.ownerDatabaseUrl, poolUrl: stack.postgres.url(DATABASE_NAME) };
  });
  // A failure of the database is said where it is awaited below, not as an unhandled rejection meanwhile.
  database.catch(() => {});
  const [{ DEMO_UNITS, demoStart, demoUnits, monthsWithoutSnapshot, seedDemo }, { loadPoolRollups, loadPoolRatingsWithProgress }] = await modules;
  // Peers for the demo tenant's benchmarks, from the committed dump (db/pool/dump.ts): what the benchmarks read
  // now, the raw ratings after Ready. After the first run this is one query.
  const pool = database.then(({ poolUrl }) => {
    step('reference pool: 252 organizations, about 200,000 ratings (their rollups now, the ratings after Ready)');
    return timed('pool', () => loadPoolRollups(poolUrl));
  });
  const workerReady = timed('worker', () => workerUp).then(({ built }) => step(`worker (workerd${built ? ', bundle built' : ''}) on ${base} (${since(started)})`));
  // The demo needs the worker (its tenant and key come through the API) but not the pool: it loads meanwhile.
  const demoSeeded = Promise.all([database, workerReady]).then(([{ ownerUrl }]) =>
    timed('demo', async () => {
      const demo = await demoApiKey(operatorToken);
      const seeded = await seedDemo(ownerUrl, demo.tenantId);
      step(
        seeded.externalRatings + seeded.internalRatings === 0
          ? 'demo tenant: up to date'
          : `demo tenant: ${seeded.created ? `${DEMO_UNITS} units, ` : ''}${seeded.externalRatings.toLocaleString('en-US')} external and ${seeded.internalRatings.toLocaleString('en-US')} internal ratings${seeded.created ? '' : ' since the last start'}`,
      );
      // The benchmarks do not read targets: they are set while the benchmark run goes, and awaited before "Ready".
      const targetsSet = seeded.created
        ? api('/v1/targets', demo.key, { method: 'PUT', body: { targets: demoTargets(demoUnits(demo.tenantId), demoStart(new Date()), new Date()) } }).then(async (response) => {
            if (!response.ok) throw new StartError(`setting the demo tenant's targets failed: ${response.status} ${await response.text()}`);
          })
        : Promise.resolve();
      targetsSet.catch(() => {});
      return { ...demo, ownerUrl, seeded, targetsSet };
    }),
  );
  // Which months' benchmarks are missing, read while the pool and the demo load (the job has not run yet).
  const snapshotsMissing = database.then(({ ownerUrl }) => monthsWithoutSnapshot(ownerUrl));
  snapshotsMissing.catch(() => {});
  const [loaded, { seeded, ownerUrl, targetsSet, ...demo }, { poolUrl }, unranked] = await Promise.all([pool, demoSeeded, database, snapshotsMissing]);
  // Today's ratings change no ended period: a restart in the same month computes nothing, unless the last
  // stop came before the run that ranks the demo had published.
  let latestRun: string | undefined;
  if (seeded.endedMonths || loaded.loaded > 0 || unranked.lastComplete) {
    step('benchmarks of the last complete month, quarter and 12 months');
    await timed('benchmarks', async () => waitForRun(ownerUrl, (latestRun = await startBenchmarks(operatorToken)), 'published'));
  }
  await targetsSet;

  console.log(`
\x1b[32mReady in ${since(started)}\x1b[0m (${timings.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ')}; some overlap).
  Dashboard       ${base}/dashboard   (sign in with the demo API key below)
  API reference   ${base}/docs
  OpenAPI         ${base}/openapi.json
  Health          ${base}/health   Readiness ${base}/ready

  Operator token  ${operatorToken}
  Demo API key    ${demo.key}

  curl -H "Authorization: Bearer ${demo.key}" "${base}/v1/scorecard?interval=month&from=${demoStart(new Date()).toISOString().slice(0, 10)}&to=${nextMonth()}"
  curl -H "Authorization: Bearer ${demo.key}" "${base}/v1/benchmarks?measure=csat&cohort=industry"

Ctrl-C stops the worker, the endpoint and Postgres.
`);

  // The pool's raw ratings, which no report of the demo reads (the benchmarks read the rollups), and the
  // snapshots of the demo's earlier months: history, not needed to start.
  void loadPoolRatingsWithProgress(poolUrl, { progress: false }).catch((error: unknown) => {
    if (!stopping) console.error(`\x1b[31m✖\x1b[0m the pool's ratings were not written: ${error instanceof Error ? error.message : String(error)}`);
  });
  const history = unranked.earlier;
  // One run at a time: the next is started once the last has ended, not queued behind it.
  if (latestRun) await waitForRun(ownerUrl, latestRun, 'finished');
  for (const at of history) await waitForRun(ownerUrl, await startBenchmarks(operatorToken, at), 'finished');
  if (history.length > 0) step(`benchmark history: ${history.length} earlier month${history.length === 1 ? '' : 's'} computed`);
  // As Cloudflare would: every minute, the cron that sends due webhook deliveries.
  setInterval(() => void fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`).catch(() => {}), 60_000).unref();
  // Every quarter of an hour the demo's new ratings; on each new day the daily cron (benchmarks of a month
  // just ended, targets), as Cloudflare would run it.
  let today = new Date().toISOString().slice(0, 10);
  setInterval(() => {
    void seedDemo(ownerUrl, demo.tenantId)
      .then(async () => {
        const day = new Date().toISOString().slice(0, 10);
        if (day === today) return;
        today = day;
        step(`${day}: the daily cron (benchmarks of a month just ended, targets)`);
        await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}`);
      })
      .catch((error: unknown) => console.error(`demo top-up failed: ${error instanceof Error ? error.message : String(error)}`));
  }, 15 * 60_000).unref();
}

main().catch((error: unknown) => {
  // Once stopping (Ctrl-C, or the worker exited and said why), what fails is the stop itself: not worth a line.
  if (stopping) return;
  const code = (error as { code?: string }).code;
  const message =
    // PostgresError (scripts/lib/postgres.ts) by name: that module may not have loaded.
    error instanceof StartError || (error instanceof Error && error.constructor.name === 'PostgresError') ? error.message
    : code === 'ENOSPC' ? `no space left on the disk that holds ${STATE_DIR}: free some and start again`
    : code === 'EADDRINUSE' ? `a port is in use: ${(error as Error).message}`
    : `npm start failed: ${error instanceof Error ? error.message : String(error)}`;
  console.error(`\x1b[31m✖\x1b[0m ${message}`);
  void stop(1);
});
