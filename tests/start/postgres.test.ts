/**
 * The local Postgres where a newcomer's clone may sit: as root in a 0700 folder, which the OS user
 * `postgres` cannot enter (it gave `spawn …/initdb EACCES`), and its failures said in one line.
 */
import { chmodSync, existsSync, lstatSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { startLocalPostgres } from '../../scripts/lib/postgres.ts';

const isRoot = process.getuid?.() === 0;
const parent = mkdtempSync(path.join(os.tmpdir(), 'sc-postgres-')); // 0700

afterAll(() => rmSync(parent, { recursive: true, force: true }));

test.skipIf(!isRoot)('as root, a cluster in a 0700 root-owned folder starts, restarts from its link, and is removed whole', async () => {
  expect(statSync(parent).mode & 0o777).toBe(0o700);
  const link = path.join(parent, 'postgres');
  const postgres = await startLocalPostgres({ dataDir: link, port: await findFreePort(), fast: true });
  try {
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(await postgres.asSuperuser(async (client) => (await client.query('select 1 as one')).rows[0])).toEqual({ one: 1 });
    await postgres.stop();
    await postgres.start();
    expect(await postgres.asSuperuser(async (client) => (await client.query('select current_user as name')).rows[0])).toEqual({ name: 'postgres' });
  } finally {
    const target = realpathSync(link);
    await postgres.destroy();
    expect(existsSync(target)).toBe(false);
    expect(existsSync(link)).toBe(false);
  }
}, 60_000);

test('a second cluster on a taken port fails with one line naming the port and the reason', async () => {
  // A folder Postgres can enter, so nothing is placed (and left) in the shared cache.
  const open = mkdtempSync(path.join(os.tmpdir(), 'sc-postgres-port-'));
  chmodSync(open, 0o755);
  const port = await findFreePort();
  const first = await startLocalPostgres({ dataDir: path.join(open, 'first'), port, fast: true });
  try {
    const error = await startLocalPostgres({ dataDir: path.join(open, 'second'), port, fast: true }).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.message).toMatch(new RegExp(`^PostgreSQL did not start on port ${port}: .*(could not bind|could not create)`));
    expect(error?.message).not.toContain('\n');
  } finally {
    await first.destroy();
    rmSync(open, { recursive: true, force: true });
  }
}, 60_000);
