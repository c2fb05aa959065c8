/**
 * `npm start`: the whole local stack in one process tree — embedded Postgres (migrated), the local
 * Neon endpoint and the worker under `wrangler dev` — then a demo tenant and the URLs to try.
 * Ctrl-C stops everything. `DATABASE_URL` (a real Neon database) skips Postgres and the endpoint;
 * `OPERATOR_TOKEN` and `PORT` override the local defaults.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareAssets } from './lib/assets.ts';
import { applyMigrations } from './lib/migrate.ts';
import { generateSigningKeys } from './lib/signing-keys.ts';
import { type LocalStack, startLocalStack } from './lib/stack.ts';
import { loadPoolWithProgress } from './pool.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STATE_DIR = path.join(ROOT, '.local');
const PORT = Number(process.env.PORT ?? 8787);
/** Below Linux's ephemeral range, so no outgoing socket can hold them (STACK.md). */
const POSTGRES_PORT = Number(process.env.LOCAL_POSTGRES_PORT ?? 25432);
const ENDPOINT_PORT = Number(process.env.LOCAL_NEON_ENDPOINT_PORT ?? 25480);
const base = `http://127.0.0.1:${PORT}`;

const step = (message: string) => console.log(`\x1b[36m▸\x1b[0m ${message}`);

/** A secret generated once and kept in .local/, so restarts print the same values. */
async function persistentSecret(file: string, make: () => string): Promise<string> {
  const full = path.join(STATE_DIR, file);
  if (existsSync(full)) return (await readFile(full, 'utf8')).trim();
  const value = make();
  await writeFile(full, `${value}\n`, { mode: 0o600 });
  return value;
}

async function waitForHealth(child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the worker did not answer on ${base}/health within ${timeoutMs / 1000} s`);
}

/** The demo tenant's API key: reused while it still works, otherwise created through the API. */
async function demoApiKey(operatorToken: string): Promise<string> {
  const file = path.join(STATE_DIR, 'demo-api-key');
  if (existsSync(file)) {
    const key = (await readFile(file, 'utf8')).trim();
    const check = await fetch(`${base}/v1/tenant`, { headers: { Authorization: `Bearer ${key}` } });
    if (check.ok) return key;
  }
  const response = await fetch(`${base}/v1/tenants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Demo Organization', industry: 'retail', sizeBand: '250-999', region: 'ES', benchmarkOptIn: true }),
  });
  if (response.status !== 201) throw new Error(`creating the demo tenant failed: ${response.status} ${await response.text()}`);
  const { apiKey } = (await response.json()) as { apiKey: { secret: string } };
  await writeFile(file, `${apiKey.secret}\n`, { mode: 0o600 });
  return apiKey.secret;
}

let stack: LocalStack | undefined;
let wrangler: ChildProcess | undefined;
let stopping = false;

/** Stops the worker first (it holds connections), then the endpoint and Postgres. */
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping…');
    if (wrangler && wrangler.exitCode === null) {
      const exited = new Promise((resolve) => wrangler!.once('exit', resolve));
      wrangler.kill('SIGINT');
      await exited;
    }
    await stack?.stop();
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

async function main() {
  const started = Date.now();
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  await mkdir(STATE_DIR, { recursive: true });
  const operatorToken = process.env.OPERATOR_TOKEN ?? (await persistentSecret('operator-token', () => randomBytes(24).toString('base64url')));

  let databaseUrl = process.env.DATABASE_URL;
  // Kept across restarts, so access tokens issued before a restart stay valid.
  const signingKeys = await persistentSecret('jwt-signing-keys.json', generateSigningKeys);
  // Kept too: customerRef hashes made under another key could never be matched for erasure.
  const hashSecret = await persistentSecret('hash-secret', () => randomBytes(32).toString('base64url'));
  const vars: Record<string, string> = { OPERATOR_TOKEN: operatorToken, JWT_SIGNING_KEYS: signingKeys, HASH_SECRET: hashSecret };
  if (databaseUrl) {
    step('DATABASE_URL is set: using that database, no local Postgres');
    await applyMigrations(process.env.MIGRATION_DATABASE_URL ?? databaseUrl);
  } else {
    step(`PostgreSQL (embedded) on 127.0.0.1:${POSTGRES_PORT}, data in .local/postgres`);
    stack = await startLocalStack({ dataDir: STATE_DIR, postgresPort: POSTGRES_PORT, endpointPort: ENDPOINT_PORT });
    databaseUrl = stack.databaseUrl;
    vars.LOCAL_NEON_ENDPOINT = stack.endpoint.url;
    step(`migrations applied; local Neon endpoint on ${stack.endpoint.url}`);
  }
  vars.DATABASE_URL = databaseUrl;
  // Peers for the demo tenant's benchmarks; after the first run this is one query.
  step('reference pool (252 organizations; loaded once, about 20 s)');
  await loadPoolWithProgress(stack?.ownerDatabaseUrl ?? process.env.MIGRATION_DATABASE_URL ?? databaseUrl);
  // The worker counts requests itself, with the production quota unless these override it.
  vars.RATE_LIMIT_MODE = 'local';
  // Locally, webhook endpoints may be a receiver on this machine (http://127.0.0.1:…).
  vars.WEBHOOK_ALLOW_LOOPBACK = 'true';
  for (const name of ['RATE_LIMIT_PER_WINDOW', 'RATE_LIMIT_WINDOW_SECONDS']) {
    if (process.env[name]) vars[name] = process.env[name];
  }

  step(`worker (wrangler dev, workerd) on ${base}`);
  prepareAssets();
  // Spawned through node, not npx: npx does not pass signals on, and workerd would be left behind.
  wrangler = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
      'dev',
      '--ip', '127.0.0.1',
      '--port', String(PORT),
      '--show-interactive-dev-session=false',
      // wrangler dev fires no crons by itself; this exposes /__scheduled, which the timer below calls.
      '--test-scheduled',
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  wrangler.on('exit', (code) => void stop(code ?? 1));

  await waitForHealth(wrangler);
  // As Cloudflare would: every minute, the cron that sends due webhook deliveries.
  setInterval(() => {
    fetch(`${base}/__scheduled?cron=${encodeURIComponent('* * * * *')}`).catch(() => {});
  }, 60_000).unref();
  const apiKey = await demoApiKey(operatorToken);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
\x1b[32mReady in ${seconds} s.\x1b[0m
  API reference   ${base}/docs
  OpenAPI         ${base}/openapi.json
  Health          ${base}/health   Readiness ${base}/ready

  Operator token  ${operatorToken}
  Demo API key    ${apiKey}

  curl -H "Authorization: Bearer ${apiKey}" ${base}/v1/tenant

Ctrl-C stops the worker, the endpoint and Postgres.
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stop(1);
});
