import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { startLocalStack } from '../../scripts/lib/stack.ts';
import { startWorker } from '../../scripts/lib/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test cluster's `postgres` database, for tests that make their own. */
    postgresAdminUrl: string;
    /** Superuser URL of the migrated application database. */
    databaseUrl: string;
    /** The real worker, in workerd. */
    workerUrl: string;
    /** The local Neon endpoint the worker talks to; `/_stats` counts round trips. */
    endpointUrl: string;
    operatorToken: string;
  }
}

/**
 * One isolated stack per test run: a fresh Postgres on a free port (deleted afterwards), the local
 * Neon endpoint and the worker in workerd, so tests never touch `npm start`'s and can run beside it.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sc-test-'));
  // mkdtemp makes it 0700; as root, Postgres runs as the `postgres` user, which must get in.
  await chmod(dataDir, 0o755);
  const stack = await startLocalStack({ dataDir, postgresPort: await findFreePort(), ephemeral: true });
  const operatorToken = randomBytes(24).toString('base64url');
  const worker = await startWorker({
    DATABASE_URL: stack.databaseUrl,
    OPERATOR_TOKEN: operatorToken,
    LOCAL_NEON_ENDPOINT: stack.endpoint.url,
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });

  project.provide('postgresAdminUrl', stack.postgres.url('postgres'));
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('workerUrl', worker.url);
  project.provide('endpointUrl', stack.endpoint.url);
  project.provide('operatorToken', operatorToken);

  return async function teardown() {
    await worker.dispose();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
