import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startIsolatedStack } from '../../scripts/lib/isolated-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test cluster's `postgres` database, for tests that make their own. */
    postgresAdminUrl: string;
    /** The worker's login (app role, subject to row-level security) on the application database. */
    databaseUrl: string;
    /** The tables' owner, which bypasses row-level security: for arranging data behind the API's back. */
    ownerDatabaseUrl: string;
    /** The real worker, in workerd. */
    workerUrl: string;
    /** The local Neon endpoint the worker talks to; `/_stats` counts round trips. */
    endpointUrl: string;
    operatorToken: string;
    /** The worker's `JWT_SIGNING_KEYS`: a JSON array of private JWKs, the signing key first. */
    signingKeys: string;
    /** The worker's `HASH_SECRET`, for tests that recompute what it keys (the benchmark noise). */
    hashSecret: string;
    /** The bundled worker, for tests that start their own instance with other bindings. */
    workerScript: string;
  }
}

/** One isolated stack per test run, shared by every test file (they run one at a time). */
export default async function setup(project: TestProject) {
  const { stack, worker, workerScript, operatorToken, signingKeys, hashSecret, stop } = await startIsolatedStack();
  project.provide('postgresAdminUrl', stack.postgres.url('postgres'));
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('ownerDatabaseUrl', stack.ownerDatabaseUrl);
  project.provide('workerUrl', worker.url);
  project.provide('endpointUrl', stack.endpoint.url);
  project.provide('operatorToken', operatorToken);
  project.provide('signingKeys', signingKeys);
  project.provide('hashSecret', hashSecret);
  project.provide('workerScript', workerScript);
  return stop;
}
