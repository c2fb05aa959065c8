import type { Database } from './db/client.ts';
import type { DeliveryMessage } from './domain/webhooks.ts';
import type { Principal } from './http/auth.ts';
import type { BenchmarkRunParams } from './jobs/benchmarks.ts';

/** Bindings declared in wrangler.toml (vars) and set as secrets; typed once, here. */
export interface Env {
  /** Postgres URL of the app role. In production a Neon URL (secret). */
  DATABASE_URL: string;
  /** Bearer token of the operator, who creates tenants (secret). */
  OPERATOR_TOKEN: string;
  /**
   * Access-token signing keys (secret): a JSON array of private EC P-256 JWKs, each with a `kid`.
   * The first signs; all verify and are published at /.well-known/jwks.json.
   */
  JWT_SIGNING_KEYS: string;
  /**
   * Key of the keyed hashes (HMAC-SHA-256) of personal references (secret): a client's customerRef
   * is stored only as such a hash, under a key derived per tenant, and so are request fingerprints.
   * Also the key (through worker/domain/secret-box.ts) that seals webhook secrets and dashboard sessions.
   */
  HASH_SECRET: string;
  /** The `iss` of access tokens (wrangler.toml var). */
  JWT_ISSUER: string;
  /** The `aud` of access tokens (wrangler.toml var). */
  JWT_AUDIENCE: string;
  /**
   * Local development and tests only: base URL of the local Neon endpoint that stands in for Neon.
   * Unset in production, where the driver's defaults reach Neon.
   */
  LOCAL_NEON_ENDPOINT?: string;
  /**
   * Milliseconds one database round trip may take before the request answers 503 (default 5000,
   * `DEFAULT_DATABASE_TIMEOUT_MS`). Tests shorten it to provoke timeouts quickly.
   */
  DATABASE_TIMEOUT_MS?: string;
  /** Per-credential rate limit: `[[ratelimits]]` in wrangler.toml. Unused when RATE_LIMIT_MODE is `local`. */
  RATE_LIMITER?: RateLimitBinding;
  /** Failed authentications per client address: `[[ratelimits]]` in wrangler.toml. Unused when RATE_LIMIT_MODE is `local`. */
  AUTH_FAILURE_LIMITER?: RateLimitBinding;
  /** `local` (`npm start`, tests): count in the isolate's memory instead of the binding. */
  RATE_LIMIT_MODE?: 'local';
  /** Local mode only: requests per window (default 600) and the window in seconds (default 60). */
  RATE_LIMIT_PER_WINDOW?: string;
  RATE_LIMIT_WINDOW_SECONDS?: string;
  /**
   * `true` (`npm start`, tests): webhook endpoints may be http or https on loopback (127.0.0.0/8,
   * ::1, localhost). Unset in production, where only https to public hosts is allowed.
   */
  WEBHOOK_ALLOW_LOOPBACK?: 'true';
  /** Producer of the webhook delivery Queue (`[[queues.producers]]` in wrangler.toml). */
  WEBHOOK_QUEUE: QueueProducer<DeliveryMessage>;
  /** The benchmark job's Workflow (`[[workflows]]` in wrangler.toml): one instance per run. */
  BENCHMARK_WORKFLOW: WorkflowBinding<BenchmarkRunParams>;
  /** The static assets (wrangler.toml `[assets]`): the worker reads the OpenAPI document from them. */
  ASSETS: AssetsBinding;
  /** Tests only: makes a step of the benchmark Workflow fail (worker/jobs/benchmarks.ts, faultInjector). */
  BENCHMARK_FAULT?: string;
}

/** The part of a Queue producer binding the worker uses; declared here so Node code type-checks too. */
export interface QueueProducer<Body> {
  sendBatch(messages: Iterable<{ body: Body; contentType?: 'json' }>): Promise<unknown>;
}

/** The static assets binding (a Fetcher in workers-types); declared here so Node code type-checks too. */
export interface AssetsBinding {
  fetch(request: Request | string): Promise<Response>;
}

/** The Workflows binding, as workers-types has it; declared here so Node code type-checks too. */
export interface WorkflowBinding<Params> {
  create(options: { id: string; params: Params }): Promise<object>;
  /** Throws when the engine has no such instance. */
  get(id: string): Promise<{ status(): Promise<{ status: string }> }>;
}

/** The secrets without which nothing but /health and the docs can answer. */
const REQUIRED_SECRETS = ['DATABASE_URL', 'OPERATOR_TOKEN', 'JWT_SIGNING_KEYS', 'HASH_SECRET'] as const satisfies (keyof Env)[];

/** The required secrets `env` lacks: what a plain `wrangler dev` without `.dev.vars` (or a deploy without secrets) misses. */
export function missingConfiguration(env: Partial<Env>): string[] {
  return REQUIRED_SECRETS.filter((name) => !env[name]);
}

/** The Workers Rate Limiting binding, as workers-types has it; declared here so Node code type-checks too. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The server's own id of the request: what the audit log records. */
    requestId: string;
    /** The client's `X-Request-Id`, when it sent a valid one: echoed in the response, recorded apart. */
    clientRequestId?: string;
    db: Database;
    /** Who is calling; set by the auth middleware on routes that require credentials. */
    principal?: Principal;
  };
}
