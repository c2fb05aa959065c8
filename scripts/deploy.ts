/**
 * `npm run deploy [-- --with-pool] [-- --dry-run]`: a fresh clone to production in one command.
 *
 *   1. the static assets and the bundle (`wrangler deploy --dry-run --outdir dist`);
 *   2. migrations, as the database owner (MIGRATION_DATABASE_URL);
 *   3. the app login of DATABASE_URL created (or its password updated) and made a member of the role the
 *      migrations grant to, idempotently: the worker's login owns nothing and is subject to row-level security;
 *   4. with `--with-pool`, the reference pool of 252 organizations loaded (skipped where present);
 *   5. `wrangler deploy`.
 *
 * `--dry-run` needs no cloud account: steps 2-4 run against a throwaway local Postgres (step 3 twice, to
 * prove it idempotent), and step 5 is left out (step 1 is already `wrangler deploy --dry-run`). CI runs it (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { applyMigrations } from './lib/migrate.ts';
import { findFreePort } from './lib/ports.ts';
import { startLocalPostgres } from './lib/postgres.ts';
import { wranglerBundle } from './lib/worker.ts';
import { loadPoolWithProgress } from './pool.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The group role the migrations grant to and write policies for (db/schema.ts `appRole`). */
const APP_ROLE = 'service_culture_app';
/** wrangler.toml's placeholder; a real deployment names its own origin (see wrangler.toml). */
const PLACEHOLDER_ISSUER = 'https://api.service-culture.dev';

const { values: flags } = parseArgs({ options: { 'dry-run': { type: 'boolean' }, 'with-pool': { type: 'boolean' } } });
const dryRun = flags['dry-run'] ?? false;

const step = (text: string) => console.log(`\n▸ ${text}`);
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Creates the app login or updates its password, and grants it the app role: safe to run again. */
export async function provisionAppLogin(ownerUrl: string, appUrl: string): Promise<string> {
  const { username, password } = new URL(appUrl);
  const login = decodeURIComponent(username);
  if (!login || !password) throw new Error('DATABASE_URL must name the app login and its password');
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [login]);
    const secret = quoteLiteral(decodeURIComponent(password));
    await client.query(`${rowCount ? 'alter' : 'create'} role ${quoteIdent(login)} with login password ${secret}`);
    await client.query(`grant ${APP_ROLE} to ${quoteIdent(login)}`);
    return rowCount ? `updated ${login}` : `created ${login}`;
  } finally {
    await client.end();
  }
}

function wrangler(args: string[]): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed (exit ${result.status})`);
}

async function database(ownerUrl: string, appUrl: string, times: number): Promise<void> {
  step('migrations, as the owner');
  await applyMigrations(ownerUrl);
  step(`the app login, member of ${APP_ROLE}`);
  for (let run = 0; run < times; run++) console.log(`  ${await provisionAppLogin(ownerUrl, appUrl)}`);
  if (flags['with-pool']) {
    step('the reference pool');
    await loadPoolWithProgress(ownerUrl);
  }
}

step('assets and bundle (dist/)');
wranglerBundle(path.join(ROOT, 'dist'));

if (dryRun) {
  // Neon's side played by a throwaway Postgres: an owner login with its database, as Neon creates them.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sc-deploy-'));
  const postgres = await startLocalPostgres({ dataDir, port: await findFreePort(), fast: true });
  try {
    await postgres.asSuperuser(async (client) => {
      await client.query("create role deploy_owner login password 'owner' createrole");
      await client.query('create database service_culture owner deploy_owner');
    });
    const owner = postgres.url('service_culture', { user: 'deploy_owner', password: 'owner' });
    const app = postgres.url('service_culture', { user: 'deploy_app', password: "it's secret" });
    await database(owner, app, 2);
    const client = new pg.Client({ connectionString: app });
    await client.connect();
    const { rows } = await client.query('select rolbypassrls, pg_has_role(current_user, $1, $2) as member from pg_roles where rolname = current_user', [APP_ROLE, 'member']);
    await client.end();
    if (rows[0]?.rolbypassrls !== false || rows[0]?.member !== true) throw new Error('the app login is not a plain member of the app role');
    console.log('  the app login connects, is a member of the app role and does not bypass row-level security');
  } finally {
    // As root the cluster may live elsewhere, linked from dataDir: destroy() removes it wherever it is.
    await postgres.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Step 1 was `wrangler deploy --dry-run`: all of `wrangler deploy` but the upload.
  console.log('\ndry run passed: nothing was deployed.');
} else {
  const ownerUrl = process.env.MIGRATION_DATABASE_URL;
  const appUrl = process.env.DATABASE_URL;
  if (!ownerUrl || !appUrl) {
    console.error('Set MIGRATION_DATABASE_URL (the owner login) and DATABASE_URL (the app login, as in the worker secret).');
    process.exit(2);
  }
  if (readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8').includes(`JWT_ISSUER = "${PLACEHOLDER_ISSUER}"`)) {
    console.warn(`warning: JWT_ISSUER in wrangler.toml is still ${PLACEHOLDER_ISSUER}; set it to this deployment's origin (see there).`);
  }
  await database(ownerUrl, appUrl, 1);
  step('wrangler deploy');
  wrangler(['deploy']);
}
