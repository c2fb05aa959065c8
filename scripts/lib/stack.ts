import path from 'node:path';
import { applyMigrations } from './migrate.ts';
import { type LocalNeonEndpoint, startLocalNeonEndpoint } from './neon-endpoint.ts';
import { type LocalPostgres, startLocalPostgres } from './postgres.ts';

export const DATABASE_NAME = 'service_culture';
/** Owns the schema and runs migrations (Neon: the database owner). */
export const OWNER_LOGIN = { user: 'sc_owner', password: 'sc_owner' };
/** The worker's login: a member of `service_culture_app`, owner of nothing, subject to RLS. */
export const APP_LOGIN = { user: 'sc_app', password: 'sc_app' };
/** The group role the migrations grant to and write policies for (db/schema.ts `appRole`). */
const APP_ROLE = 'service_culture_app';

export interface LocalStackOptions {
  /** Folder for Postgres' files. */
  dataDir: string;
  postgresPort: number;
  /** 0 picks a free port. */
  endpointPort?: number;
  /**
   * Delete the data when the stack stops and skip fsync (tests). Stopping only Postgres
   * (`postgres.stop()`, a fault test) keeps it, so `postgres.start()` brings the same data back.
   */
  ephemeral?: boolean;
  /** Skip fsync without deleting the data (`npm start`: its data is generated again when lost). Implied by `ephemeral`. */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface LocalStack {
  postgres: LocalPostgres;
  endpoint: LocalNeonEndpoint;
  /** What the worker gets as DATABASE_URL: the app login. The driver reaches it through the endpoint. */
  databaseUrl: string;
  /** The owner's URL, for migrations and for tests that arrange data behind the API's back. */
  ownerDatabaseUrl: string;
  stop(): Promise<void>;
}

/**
 * Creates the two logins and the database (idempotent), migrates as the owner, then makes the app
 * login a member of the role the migrations created. The same split as on Neon: see README.
 */
async function provisionDatabase(postgres: LocalPostgres): Promise<void> {
  await postgres.asSuperuser(async (client) => {
    for (const [login, options] of [[OWNER_LOGIN, 'CREATEROLE'], [APP_LOGIN, 'NOBYPASSRLS']] as const) {
      const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [login.user]);
      if (!rowCount) await client.query(`create role ${login.user} login password '${login.password}' ${options}`);
    }
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`create database ${DATABASE_NAME} owner ${OWNER_LOGIN.user}`);
  });
  await applyMigrations(postgres.url(DATABASE_NAME, OWNER_LOGIN));
  await postgres.asSuperuser((client) => client.query(`grant ${APP_ROLE} to ${APP_LOGIN.user}`));
}

/** Postgres, migrated, behind the local Neon endpoint: everything the worker needs but itself. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { dataDir, postgresPort, endpointPort = 0, ephemeral = false, fast = ephemeral, onLog } = options;
  const postgresDir = path.join(dataDir, 'postgres');
  const postgres = await startLocalPostgres({
    dataDir: postgresDir,
    port: postgresPort,
    fast,
    ...(onLog ? { onLog } : {}),
  });
  try {
    await provisionDatabase(postgres);
    const endpoint = await startLocalNeonEndpoint({ port: endpointPort, ...(onLog ? { onLog } : {}) });
    return {
      postgres,
      endpoint,
      databaseUrl: postgres.url(DATABASE_NAME, APP_LOGIN),
      ownerDatabaseUrl: postgres.url(DATABASE_NAME, OWNER_LOGIN),
      async stop() {
        await endpoint.close();
        await (ephemeral ? postgres.destroy() : postgres.stop());
      },
    };
  } catch (error) {
    await (ephemeral ? postgres.destroy() : postgres.stop());
    throw error;
  }
}
