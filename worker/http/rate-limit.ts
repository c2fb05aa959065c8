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

export function rateLimiterFor(env: Env): RateLimiter {
  if (env.RATE_LIMIT_MODE === 'local') {
    const policy = {
      limit: positiveInteger(env, 'RATE_LIMIT_PER_WINDOW', PRODUCTION_POLICY.limit),
      windowSeconds: positiveInteger(env, 'RATE_LIMIT_WINDOW_SECONDS', PRODUCTION_POLICY.windowSeconds),
    };
    return new LocalRateLimiter(policy, counterFor(policy.windowSeconds));
  }
  if (!env.RATE_LIMITER) throw new Error('no RATE_LIMITER binding: declare [[ratelimits]] in wrangler.toml or set RATE_LIMIT_MODE=local');
  return new BindingRateLimiter(PRODUCTION_POLICY, env.RATE_LIMITER, counterFor(PRODUCTION_POLICY.windowSeconds));
}

/**
 * One bucket per credential: the SHA-256 of the bearer token (for an API key, exactly its stored
 * hash) or of the whole header for other schemes (HTTP Basic at /oauth/token); the client's IP
 * when there is none. The secret itself never becomes a key.
 */
async function bucketKey(c: Context<AppEnv>): Promise<string> {
  const authorization = c.req.header('Authorization');
  if (authorization) return sha256Hex(/^Bearer +(\S+) *$/i.exec(authorization)?.[1] ?? authorization);
  return `ip:${c.req.header('CF-Connecting-IP') ?? 'local'}`;
}

/**
 * Counts the request before authentication, so a flood is refused without a database round trip,
 * and puts the quota on every response, errors included.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const limiter = rateLimiterFor(c.env);
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
      'RateLimit (draft-ietf-httpapi-ratelimit-headers); the quota is per credential, or per client IP without one.',
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
