/** A fixed-window quota: `limit` requests per `windowSeconds`, windows aligned to the Unix epoch. */
export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitState {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets, 1…windowSeconds. */
  resetSeconds: number;
}

/** Which window `nowMs` falls in, and the whole seconds left until the next one starts. */
export function fixedWindow(nowMs: number, windowSeconds: number): { index: number; resetSeconds: number } {
  const windowMs = windowSeconds * 1000;
  const index = Math.floor(nowMs / windowMs);
  return { index, resetSeconds: Math.ceil(((index + 1) * windowMs - nowMs) / 1000) };
}

/**
 * Counts requests per key in the current window. Every count is dropped when a new window starts,
 * so memory is bounded by the keys seen in one window.
 */
export class FixedWindowCounter {
  #window = Number.NaN;
  readonly #counts = new Map<string, number>();

  constructor(
    readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; returns the count so far in this window, this one included. */
  hit(key: string): { count: number; resetSeconds: number } {
    const { index, resetSeconds } = fixedWindow(this.now(), this.windowSeconds);
    if (index !== this.#window) {
      this.#window = index;
      this.#counts.clear();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return { count, resetSeconds };
  }
}

const POLICY_NAME = '"default"';

/** The IETF draft's structured fields (draft-ietf-httpapi-ratelimit-headers): the quota and what is left of it. */
export function rateLimitHeaders(policy: RateLimitPolicy, state: RateLimitState): Record<'RateLimit-Policy' | 'RateLimit', string> {
  return {
    'RateLimit-Policy': `${POLICY_NAME};q=${policy.limit};w=${policy.windowSeconds}`,
    RateLimit: `${POLICY_NAME};r=${state.remaining};t=${state.resetSeconds}`,
  };
}
