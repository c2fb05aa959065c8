/**
 * `npm run pool [-- --seed N --organizations N]`: loads the reference pool (db/pool/) into the
 * database `npm start` runs, or into MIGRATION_DATABASE_URL / DATABASE_URL (the owner's login) when
 * set. Skips what is already there, so it is safe to run again. The default pool comes from the
 * committed dump (db/pool/dump.ts); another seed or size is generated.
 *
 * `npm run pool:dump`: makes that dump again, from the generator, in a throwaway Postgres (after a change
 * to the generator, its calibration or the rollups; tests/start/pool-dump.test.ts says when).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compressDump, DUMP_FILE, DUMP_REFERENCE, loadPoolDump, type LoadDumpResult, loadPoolRatings, type LoadRatingsResult, poolDumpText } from '../db/pool/dump.ts';
import { DEFAULT_POOL_SEED, POOL_ORGANIZATIONS } from '../db/pool/generate.ts';
import { loadReferencePool, type LoadPoolResult } from '../db/pool/load.ts';
import { findFreePort } from './lib/ports.ts';
import { DATABASE_NAME, OWNER_LOGIN, startLocalStack } from './lib/stack.ts';

const draw = (text: string) => process.stdout.write(process.stdout.isTTY ? `\r${text}` : `${text}\n`);

/** A generated pool (another seed or size than the dump's), with a progress counter on one line, redrawn; the summary after it. */
async function generatePoolWithProgress(databaseUrl: string, options: { seed?: number; organizations?: number }): Promise<LoadPoolResult> {
  let lastDrawn = 0;
  const result = await loadReferencePool({
    databaseUrl,
    ...options,
    onProgress: ({ done, total, ratings }) => {
      // Every organization on a terminal; every 25th in a log.
      if (process.stdout.isTTY || done === total || done - lastDrawn >= 25) {
        lastDrawn = done;
        draw(`  pool: ${done}/${total} organizations, ${ratings.toLocaleString('en-US')} ratings`);
      }
    },
  });
  if (process.stdout.isTTY && result.loaded > 0) process.stdout.write('\n');
  const seconds = (result.milliseconds / 1000).toFixed(1);
  console.log(
    result.loaded === 0
      ? `  pool: already loaded (${result.organizations} organizations)`
      : `  pool: ${result.loaded} organizations, ${result.externalRatings.toLocaleString('en-US')} external and ${result.internalRatings.toLocaleString('en-US')} internal ratings in ${seconds} s`,
  );
  return result;
}

/** The dump's part of the default pool (what the benchmarks read), said in one line. */
export async function loadPoolRollups(databaseUrl: string): Promise<LoadDumpResult> {
  const result = await loadPoolDump(databaseUrl);
  console.log(
    result.loaded === 0
      ? `  pool: already loaded (${result.organizations} organizations)`
      : `  pool: ${result.loaded} organizations and their ${result.rollups.toLocaleString('en-US')} rollup rows in ${(result.milliseconds / 1000).toFixed(1)} s`,
  );
  return result;
}

/** The default pool's raw ratings that are not there yet; a line once written (none when nothing was missing). */
export async function loadPoolRatingsWithProgress(databaseUrl: string, { progress = true } = {}): Promise<LoadRatingsResult> {
  const started = performance.now();
  const result = await loadPoolRatings(databaseUrl, progress ? { onProgress: ({ done, total }) => draw(`  pool ratings: ${done}/${total} organizations`) } : {});
  if (progress && process.stdout.isTTY && result.loaded > 0) process.stdout.write('\n');
  if (result.loaded > 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  pool: ${result.externalRatings.toLocaleString('en-US')} external and ${result.internalRatings.toLocaleString('en-US')} internal ratings of ${result.loaded} organizations in ${seconds} s`);
  }
  return result;
}

/** The pool, whole: the default one from the dump and its ratings, another seed or size generated. */
export async function loadPoolWithProgress(databaseUrl: string, options: { seed?: number; organizations?: number } = {}): Promise<void> {
  if ((options.seed ?? DEFAULT_POOL_SEED) !== DEFAULT_POOL_SEED || (options.organizations ?? POOL_ORGANIZATIONS) !== POOL_ORGANIZATIONS) {
    await generatePoolWithProgress(databaseUrl, options);
    return;
  }
  await loadPoolRollups(databaseUrl);
  await loadPoolRatingsWithProgress(databaseUrl);
}

/** The generator's pool as of the dump's reference day, in a throwaway Postgres, read back as the dump. */
async function makeDump(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sc-pool-dump-'));
  try {
    // Open, so that as root the cluster (run by the OS user postgres) stays in this folder (scripts/lib/isolated-stack.ts).
    await chmod(dataDir, 0o755);
    const stack = await startLocalStack({ dataDir, postgresPort: await findFreePort(), ephemeral: true });
    try {
      const url = stack.postgres.url(DATABASE_NAME);
      await loadReferencePool({ databaseUrl: url, now: DUMP_REFERENCE });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const text = await poolDumpText(client).finally(() => client.end());
      const compressed = compressDump(text);
      await writeFile(DUMP_FILE, compressed);
      console.log(`${path.relative(process.cwd(), DUMP_FILE)}: ${(compressed.length / 2 ** 20).toFixed(2)} MiB (${(text.length / 2 ** 20).toFixed(1)} MiB of text)`);
    } finally {
      await stack.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, organizations: { type: 'string' }, dump: { type: 'boolean' } } });
  if (values.dump) return makeDump();
  // The same default port as scripts/start.ts: the pool goes where `npm start` keeps its data.
  const localOwnerUrl = `postgres://${OWNER_LOGIN.user}:${OWNER_LOGIN.password}@127.0.0.1:${process.env.LOCAL_POSTGRES_PORT ?? 25432}/${DATABASE_NAME}`;
  const databaseUrl = process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL ?? localOwnerUrl;
  try {
    await loadPoolWithProgress(databaseUrl, {
      seed: Number(values.seed ?? DEFAULT_POOL_SEED),
      organizations: Number(values.organizations ?? POOL_ORGANIZATIONS),
    });
  } catch (error) {
    const refused = (error as { code?: string }).code === 'ECONNREFUSED';
    console.error(refused ? `no database at ${new URL(databaseUrl).host}: run \`npm start\` first, or set DATABASE_URL` : error);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
