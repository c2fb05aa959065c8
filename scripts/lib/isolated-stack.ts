import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './ports.ts';
import { generateSigningKeys } from './signing-keys.ts';
import { type LocalStack, startLocalStack } from './stack.ts';
import { bundleWorker, type RunningWorker, startWorker } from './worker.ts';

export interface IsolatedStack {
  stack: LocalStack;
  worker: RunningWorker;
  /** The bundle the worker runs, for starting more instances with other bindings. */
  workerScript: string;
  operatorToken: string;
  /** The worker's `JWT_SIGNING_KEYS` (private JWKs), so tests can sign tokens with its key. */
  signingKeys: string;
  /** The worker's `HASH_SECRET`, so tests can recompute what it keys (the benchmark noise). */
  hashSecret: string;
  /** Stops the worker, then the endpoint and Postgres, and deletes every file; safe to call twice. */
  stop(): Promise<void>;
}

export interface IsolatedStackOptions {
  /** A bundle from `bundleWorker()` to run instead of bundling anew (the caller keeps it). */
  workerScript?: string;
  /** Bindings added to (or replacing) the defaults, e.g. a short `DATABASE_TIMEOUT_MS`. */
  vars?: Record<string, string>;
}

/**
 * A throwaway copy of everything: fresh Postgres on a free port in a temporary folder, the local
 * Neon endpoint, the bundled worker in workerd. Tests and benches use it, so they never touch
 * `npm start`'s data and can run beside it; a fault test starts a second one to stop its Postgres.
 */
export async function startIsolatedStack(options: IsolatedStackOptions = {}): Promise<IsolatedStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sc-isolated-'));
  const cleanups: (() => Promise<unknown> | void)[] = [() => rm(dataDir, { recursive: true, force: true })];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Last started, first stopped: the worker holds connections to the endpoint.
      for (const cleanup of cleanups.reverse()) {
        await Promise.resolve()
          .then(cleanup)
          .catch((error: unknown) => console.error('stopping the isolated stack:', error));
      }
    })());
  try {
    // mkdtemp makes it 0700; as root, Postgres runs as the `postgres` user: opened, the cluster stays
    // here instead of moving to the shared cache (scripts/lib/postgres.ts), and goes with this folder.
    await chmod(dataDir, 0o755);
    const stack = await startLocalStack({ dataDir, postgresPort: await findFreePort(), ephemeral: true });
    cleanups.push(() => stack.stop());
    let script = options.workerScript;
    if (!script) {
      const bundle = bundleWorker();
      cleanups.push(() => bundle.dispose());
      script = bundle.script;
    }
    const operatorToken = randomBytes(24).toString('base64url');
    const signingKeys = generateSigningKeys();
    const hashSecret = options.vars?.HASH_SECRET ?? randomBytes(32).toString('base64url');
    const worker = await startWorker(
      {
        DATABASE_URL: stack.databaseUrl,
        OPERATOR_TOKEN: operatorToken,
        JWT_SIGNING_KEYS: signingKeys,
        HASH_SECRET: hashSecret,
        LOCAL_NEON_ENDPOINT: stack.endpoint.url,
        // Tests and benches send far more than a client may; tests/api/rate-limit.test.ts starts
        // its own worker with a small limit.
        RATE_LIMIT_MODE: 'local',
        RATE_LIMIT_PER_WINDOW: String(1_000_000_000),
        // Webhook receivers in the tests listen on 127.0.0.1, over http.
        WEBHOOK_ALLOW_LOOPBACK: 'true',
        ...options.vars,
      },
      { script },
    );
    cleanups.push(() => worker.dispose());
    return { stack, worker, workerScript: script, operatorToken, signingKeys, hashSecret, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
