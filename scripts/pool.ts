/**
 * `npm run pool [-- --seed N --organizations N]`: loads the reference pool (db/pool/) into the
 * database `npm start` runs, or into MIGRATION_DATABASE_URL / DATABASE_URL (the owner's login) when
 * set. Skips what is already there, so it is safe to run again.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_POOL_SEED, POOL_ORGANIZATIONS } from '../db/pool/generate.ts';
import { loadReferencePool, type LoadPoolResult } from '../db/pool/load.ts';
import { DATABASE_NAME, OWNER_LOGIN } from './lib/stack.ts';

/** A progress counter on one line, redrawn; the summary after it. */
export async function loadPoolWithProgress(databaseUrl: string, options: { seed?: number; organizations?: number } = {}): Promise<LoadPoolResult> {
  const draw = (text: string) => process.stdout.write(process.stdout.isTTY ? `\r${text}` : `${text}\n`);
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

async function main() {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, organizations: { type: 'string' } } });
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
