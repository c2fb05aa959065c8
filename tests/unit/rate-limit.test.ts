import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { FixedWindowCounter, fixedWindow, rateLimitHeaders } from '../../worker/domain/rate-limit.ts';
import type { Env, RateLimitBinding } from '../../worker/env.ts';
import {
  BindingRateLimiter,
  LocalRateLimiter,
  AUTH_FAILURE_POLICY,
  authFailureLimiterFor,
  PRODUCTION_POLICY,
  rateLimiterFor,
} from '../../worker/http/rate-limit.ts';
import { nodeEnv } from './env.ts';

const MINUTE = 60_000;
const env = nodeEnv;

/** A clock the test moves by hand. */
function clock(start: number) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('fixedWindow', () => {
  test('windows are aligned to the epoch; reset counts whole seconds up to the next one', () => {
    expect(fixedWindow(10 * MINUTE, 60)).toEqual({ index: 10, resetSeconds: 60 });
    expect(fixedWindow(10 * MINUTE + 1, 60)).toEqual({ index: 10, resetSeconds: 60 });
    expect(fixedWindow(10 * MINUTE + 23_000, 60)).toEqual({ index: 10, resetSeconds: 37 });
    expect(fixedWindow(11 * MINUTE - 1, 60)).toEqual({ index: 10, resetSeconds: 1 });
    expect(fixedWindow(11 * MINUTE, 60)).toEqual({ index: 11, resetSeconds: 60 });
    expect(fixedWindow(25_500, 10)).toEqual({ index: 2, resetSeconds: 5 });
  });
});

describe('FixedWindowCounter', () => {
  test('counts per key and forgets every count when the window turns', () => {
    const time = clock(5 * MINUTE);
    const counter = new FixedWindowCounter(60, time.now);
    expect(counter.hit('a')).toEqual({ count: 1, resetSeconds: 60 });
    time.state.now += 59_000;
    expect(counter.hit('a')).toEqual({ count: 2, resetSeconds: 1 });
    expect(counter.hit('b').count).toBe(1);
    time.state.now += 1_000;
    expect(counter.hit('a')).toEqual({ count: 1, resetSeconds: 60 });
  });
});

describe('LocalRateLimiter', () => {
  test('lets exactly `limit` requests through per window and per key', async () => {
    const time = clock(7 * MINUTE + 20_000);
    const limiter = new LocalRateLimiter({ limit: 3, windowSeconds: 60 }, new FixedWindowCounter(60, time.now));
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await limiter.consume('key'));
    expect(states.map((s) => [s.allowed, s.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(states.every((s) => s.resetSeconds === 40)).toBe(true);
    expect((await limiter.consume('other')).remaining).toBe(2);
    time.state.now += 40_000;
    expect(await limiter.consume('key')).toEqual({ allowed: true, remaining: 2, resetSeconds: 60 });
  });
});

describe('BindingRateLimiter', () => {
  test('the binding decides; the remainder is what this isolate has seen, 0 once refused', async () => {
    const answers = [true, true, false];
    const keys: string[] = [];
    const binding: RateLimitBinding = {
      limit: async ({ key }) => {
        keys.push(key);
        return { success: answers.shift()! };
      },
    };
    const time = clock(3 * MINUTE + 15_000);
    const limiter = new BindingRateLimiter(PRODUCTION_POLICY, binding, new FixedWindowCounter(60, time.now));
    expect(await limiter.consume('k')).toEqual({ allowed: true, remaining: 599, resetSeconds: 45 });
    expect(await limiter.consume('k')).toEqual({ allowed: true, remaining: 598, resetSeconds: 45 });
    expect(await limiter.consume('k')).toEqual({ allowed: false, remaining: 0, resetSeconds: 45 });
    expect(keys).toEqual(['k', 'k', 'k']);
  });
});

describe('rateLimiterFor', () => {
  test('local mode takes its quota from the vars, the production quota by default', () => {
    expect(rateLimiterFor({ ...env, RATE_LIMIT_MODE: 'local' }).policy).toEqual(PRODUCTION_POLICY);
    const limiter = rateLimiterFor({ ...env, RATE_LIMIT_MODE: 'local', RATE_LIMIT_PER_WINDOW: '3', RATE_LIMIT_WINDOW_SECONDS: '10' });
    expect(limiter).toBeInstanceOf(LocalRateLimiter);
    expect(limiter.policy).toEqual({ limit: 3, windowSeconds: 10 });
  });

  test('a malformed var or a missing binding fails loudly', () => {
    expect(() => rateLimiterFor({ ...env, RATE_LIMIT_MODE: 'local', RATE_LIMIT_PER_WINDOW: '0' })).toThrow(/RATE_LIMIT_PER_WINDOW/);
    expect(() => rateLimiterFor({ ...env, RATE_LIMIT_MODE: 'local', RATE_LIMIT_WINDOW_SECONDS: '1.5' })).toThrow(/RATE_LIMIT_WINDOW_SECONDS/);
    expect(() => rateLimiterFor(env)).toThrow(/RATE_LIMITER/);
  });

  test('production uses the binding with the quota wrangler.toml gives it', () => {
    const binding: RateLimitBinding = { limit: async () => ({ success: true }) };
    expect(rateLimiterFor({ ...env, RATE_LIMITER: binding })).toBeInstanceOf(BindingRateLimiter);
    const config = unstable_readConfig({
      config: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../wrangler.toml'),
    });
    const declared = (config.ratelimits as { name: string; simple: unknown }[]).find((entry) => entry.name === 'RATE_LIMITER');
    expect(declared?.simple).toEqual({ limit: PRODUCTION_POLICY.limit, period: PRODUCTION_POLICY.windowSeconds });
    const failures = (config.ratelimits as { name: string; simple: unknown }[]).find((entry) => entry.name === 'AUTH_FAILURE_LIMITER');
    expect(failures?.simple).toEqual({ limit: AUTH_FAILURE_POLICY.limit, period: AUTH_FAILURE_POLICY.windowSeconds });
    expect(authFailureLimiterFor({ ...env, AUTH_FAILURE_LIMITER: binding })).toBeInstanceOf(BindingRateLimiter);
    expect(() => authFailureLimiterFor(env)).toThrow(/AUTH_FAILURE_LIMITER/);
  });

  test('locally, failed authentications get a 30th of the request quota, never fewer than in production', () => {
    expect(authFailureLimiterFor({ ...env, RATE_LIMIT_MODE: 'local' }).policy).toEqual(AUTH_FAILURE_POLICY);
    expect(authFailureLimiterFor({ ...env, RATE_LIMIT_MODE: 'local', RATE_LIMIT_PER_WINDOW: '3' }).policy.limit).toBe(AUTH_FAILURE_POLICY.limit);
    expect(authFailureLimiterFor({ ...env, RATE_LIMIT_MODE: 'local', RATE_LIMIT_PER_WINDOW: '3000' }).policy.limit).toBe(100);
  });
});

describe('rateLimitHeaders', () => {
  test('formats the IETF draft structured fields', () => {
    expect(rateLimitHeaders({ limit: 600, windowSeconds: 60 }, { allowed: true, remaining: 412, resetSeconds: 37 })).toEqual({
      'RateLimit-Policy': '"default";q=600;w=60',
      RateLimit: '"default";r=412;t=37',
    });
  });
});
