import path from 'node:path';
import { applyMigrations } from './migrate.ts';
import { type LocalNeonEndpoint, startLocalNeonEndpoint } from './neon-endpoint.ts';
import { type LocalPostgres, startLocalPostgres } from './postgres.ts';

export const DATABASE_NAME = 'service_culture';

export interface LocalStackOptions {
  /** Folder for Postgres' files. */
  dataDir: string;
  postgresPort: number;
  /** 0 picks a free port. */
  endpointPort?: number;
  /** Delete the data on stop and skip fsync (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface LocalStack {
  postgres: LocalPostgres;
  endpoint: LocalNeonEndpoint;
  /** What the worker gets as DATABASE_URL; the driver reaches it through the endpoint. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Postgres, migrated, behind the local Neon endpoint: everything the worker needs but itself. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { dataDir, postgresPort, endpointPort = 0, ephemeral = false, onLog } = options;
  const postgres = await startLocalPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    port: postgresPort,
    persistent: !ephemeral,
    fast: ephemeral,
    ...(onLog ? { onLog } : {}),
  });
  try {
    await postgres.ensureDatabase(DATABASE_NAME);
    const databaseUrl = postgres.url(DATABASE_NAME);
    await applyMigrations(databaseUrl);
    const endpoint = await startLocalNeonEndpoint({ port: endpointPort, ...(onLog ? { onLog } : {}) });
    return {
      postgres,
      endpoint,
      databaseUrl,
      async stop() {
        await endpoint.close();
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
