import type { Context, MiddlewareHandler } from 'hono';
import {
  FixedWindowCounter,
  type RateLimitPolicy,
  type RateLimitState,
  rateLimitHeaders,
} from '../domain/rate-limit.ts';
import { sha256Hex } from '../domain/secrets.ts';
import type { AppEnv, Env, RateLimitBinding } from '../env.ts';
import { ProblemError, problemResponses } from './problem.ts';
import { type DocumentedHeader, documentOperations, withResponseHeaders } from './openapi.ts';
import type { AppRouter } from './router.ts';

/** Where every request counts against a bucket: the API and the token endpoint. */
export const RATE_LIMITED_PATHS = ['/v1/*', '/oauth/*'] as const;

/** What `[[ratelimits]]` in wrangler.toml configures for `RATE_LIMITER` (a unit test keeps them equal). */
export const PRODUCTION_POLICY: RateLimitPolicy = { limit: 600, windowSeconds: 60 };
/**
 * Failed authentications per client address (`AUTH_FAILURE_LIMITER` in wrangler.toml): the
 * per-credential quota cannot stop them, since every made-up key is a bucket of its own.
 */
export const AUTH_FAILURE_POLICY: RateLimitPolicy = { limit: 20, windowSeconds: 60 };
/** Locally, failures get a 30th of the request quota (20 of the default 600), and never fewer than in production. */
const AUTH_FAILURE_SHARE = 30;

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  consume(key: string): Promise<RateLimitState>;
}

/** Exact: one isolate sees every request (`wrangler dev`, Miniflare), so its own count decides. */
export class LocalRateLimiter implements RateLimiter {
  constructor(
    readonly policy: RateLimitPolicy,
    private readonly counter: FixedWindowCounter,
  ) {}

  async consume(key: string): Promise<RateLimitState> {
    const { count, resetSeconds } = this.counter.hit(key);
    return { allowed: count <= this.policy.limit, remaining: Math.max(0, this.policy.limit - count), resetSeconds };
  }
}

/**
 * Production: the Workers Rate Limiting binding decides. It answers only success or failure, and
 * counts per Cloudflare location, eventually consistently, so the headers are estimates:
 * `r` is the limit minus what this isolate alone let through for the key in this window (other
 * isolates and locations count too, so the true remainder can be lower), 0 once refused; `t`
 * assumes windows aligned to the epoch, as Miniflare's simulation does (Cloudflare does not say).
 */
export class BindingRateLimiter implements RateLimiter {
  constructor(
    readonly policy: RateLimitPolicy,
    private readonly binding: RateLimitBinding,
    private readonly counter: FixedWindowCounter,
  ) {}

  async consume(key: string): Promise<RateLimitState> {
    const { success } = await this.binding.limit({ key });
    const { count, resetSeconds } = this.counter.hit(key);
    return { allowed: success, remaining: success ? Math.max(0, this.policy.limit - count) : 0, resetSeconds };
  }
}

function positiveInteger(env: Env, name: 'RATE_LIMIT_PER_WINDOW' | 'RATE_LIMIT_WINDOW_SECONDS', fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

/** Counters live as long as the isolate, so counts survive from one request to the next. */
const counters = new Map<number, FixedWindowCounter>();
function counterFor(windowSeconds: number): FixedWindowCounter {
  let counter = counters.get(windowSeconds);
  if (!counter) counters.set(windowSeconds, (counter = new FixedWindowCounter(windowSeconds)));
  return counter;
}

function localPolicy(env: Env): RateLimitPolicy {
  return {
    limit: positiveInteger(env, 'RATE_LIMIT_PER_WINDOW', PRODUCTION_POLICY.limit),
    windowSeconds: positiveInteger(env, 'RATE_LIMIT_WINDOW_SECONDS', PRODUCTION_POLICY.windowSeconds),
  };
}

export function rateLimiterFor(env: Env): RateLimiter {
  if (env.RATE_LIMIT_MODE === 'local') {
    const policy = localPolicy(env);
    return new LocalRateLimiter(policy, counterFor(policy.windowSeconds));
  }
  if (!env.RATE_LIMITER) throw new Error('no RATE_LIMITER binding: declare [[ratelimits]] in wrangler.toml or set RATE_LIMIT_MODE=local');
  return new BindingRateLimiter(PRODUCTION_POLICY, env.RATE_LIMITER, counterFor(PRODUCTION_POLICY.windowSeconds));
}

/** The same two designs for failed authentications, counted per client address under `fail:` keys. */
export function authFailureLimiterFor(env: Env): RateLimiter {
  if (env.RATE_LIMIT_MODE === 'local') {
    const { limit, windowSeconds } = localPolicy(env);
    const policy = { limit: Math.max(AUTH_FAILURE_POLICY.limit, Math.ceil(limit / AUTH_FAILURE_SHARE)), windowSeconds };
    return new LocalRateLimiter(policy, counterFor(windowSeconds));
  }
  if (!env.AUTH_FAILURE_LIMITER) throw new Error('no AUTH_FAILURE_LIMITER binding: declare [[ratelimits]] in wrangler.toml or set RATE_LIMIT_MODE=local');
  return new BindingRateLimiter(AUTH_FAILURE_POLICY, env.AUTH_FAILURE_LIMITER, counterFor(AUTH_FAILURE_POLICY.windowSeconds));
}

/**
 * Addresses over their failure quota, until their window ends (epoch ms). Only a failure is counted,
 * and it is known only after authentication, so the refusal is remembered here, per isolate: each
 * isolate lets at most one more failure through before the binding tells it too.
 */
const refusedAddresses = new Map<string, number>();

function refusedUntil(key: string, nowMs: number): number | undefined {
  const until = refusedAddresses.get(key);
  if (until !== undefined && until <= nowMs) refusedAddresses.delete(key);
  return until !== undefined && until > nowMs ? until : undefined;
}

function clientAddress(c: Context<AppEnv>): string {
  return c.req.header('CF-Connecting-IP') ?? 'local';
}

/**
 * One bucket per credential: the SHA-256 of the bearer token (for an API key, exactly its stored
 * hash) or of the whole header for other schemes (HTTP Basic at /oauth/token); the client's IP
 * when there is none. The secret itself never becomes a key.
 */
async function bucketKey(c: Context<AppEnv>): Promise<string> {
  const authorization = c.req.header('Authorization');
  if (authorization) return sha256Hex(/^Bearer +(\S+) *$/i.exec(authorization)?.[1] ?? authorization);
  return `ip:${clientAddress(c)}`;
}

/**
 * Counts the request before authentication, so a flood is refused without a database round trip,
 * and puts the quota on every response, errors included. An address whose failed authentications
 * (401s) passed their own quota is refused the same way until its window ends, whatever credential
 * it presents next.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const limiter = rateLimiterFor(c.env);
    const failureKey = `fail:${clientAddress(c)}`;
    const until = refusedUntil(failureKey, Date.now());
    if (until !== undefined) {
      const failures = authFailureLimiterFor(c.env).policy;
      const resetSeconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      const headers = rateLimitHeaders(failures, { allowed: false, remaining: 0, resetSeconds });
      throw new ProblemError(
        'tooManyRequests',
        `Over the limit of ${failures.limit} failed authentications per ${failures.windowSeconds} s from this address; retry after ${resetSeconds} s.`,
        { headers: { ...headers, 'Retry-After': String(resetSeconds) } },
      );
    }
    const state = await limiter.consume(await bucketKey(c));
    const headers = rateLimitHeaders(limiter.policy, state);
    if (!state.allowed) {
      throw new ProblemError(
        'tooManyRequests',
        `Over the limit of ${limiter.policy.limit} requests per ${limiter.policy.windowSeconds} s; retry after ${state.resetSeconds} s.`,
        { headers: { ...headers, 'Retry-After': String(state.resetSeconds) } },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (c.res.status === 401) {
      const failure = await authFailureLimiterFor(c.env).consume(failureKey);
      if (!failure.allowed) refusedAddresses.set(failureKey, Date.now() + failure.resetSeconds * 1000);
    }
  };
}

/** On every response under `RATE_LIMITED_PATHS`, errors included (draft-ietf-httpapi-ratelimit-headers). */
const QUOTA_HEADERS = {
  'RateLimit-Policy': {
    description: 'The quota, e.g. `"default";q=600;w=60`: 600 requests per 60 seconds.',
    schema: { type: 'string', maxLength: 100, pattern: '^"[a-z]+";q=\\d+;w=\\d+$' },
  },
  RateLimit: {
    description: 'What is left, e.g. `"default";r=0;t=37`: no requests for another 37 seconds.',
    schema: { type: 'string', maxLength: 100, pattern: '^"[a-z]+";r=\\d+;t=\\d+$' },
  },
} satisfies Record<string, DocumentedHeader>;

const TOO_MANY_REQUESTS = (() => {
  const { 429: response } = problemResponses('tooManyRequests');
  return {
    ...response,
    description:
      `${response.description}. Every response under ${RATE_LIMITED_PATHS.join(' and ')} carries RateLimit-Policy and ` +
      'RateLimit (draft-ietf-httpapi-ratelimit-headers); the quota is per credential, or per client IP without one. ' +
      `Failed authentications (401) are limited per client IP too (${AUTH_FAILURE_POLICY.limit} per ${AUTH_FAILURE_POLICY.windowSeconds} s), ` +
      'whatever credential each presents; past that, every request from the address is a 429 until the window ends.',
    headers: {
      'Retry-After': {
        description: 'Seconds until the window resets.',
        schema: { type: 'integer' as const, format: 'int32', minimum: 1, maximum: 86_400 },
      },
    },
  };
})();

/**
 * Documents 429 and the quota headers on every operation under `RATE_LIMITED_PATHS` as routes
 * register, so no route (present or future) has to list them. Call before the routers are mounted.
 */
export function documentRateLimit(app: AppRouter): void {
  documentOperations(
    app,
    RATE_LIMITED_PATHS.map((path) => path.slice(0, -1)),
    (route) => ({
      ...route,
      responses: withResponseHeaders({ 429: TOO_MANY_REQUESTS, ...route.responses }, QUOTA_HEADERS),
    }),
  );
}
