/** A seeded PRNG (mulberry32) with the draws the pool needs: the same seed gives the same pool. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [low, high]. */
  int(low: number, high: number): number;
  chance(p: number): boolean;
  pick<T>(values: readonly T[]): T;
  /** `values[i]` with probability `weights[i] / sum(weights)`. */
  weighted<T>(values: readonly T[], weights: readonly number[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A version-4-shaped UUID from this stream. */
  uuid(): string;
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const hex = (digits: number) => Array.from({ length: digits }, () => int(0, 15).toString(16)).join('');
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (values) => values[int(0, values.length - 1)]!,
    weighted(values, weights) {
      let r = next() * weights.reduce((a, b) => a + b, 0);
      for (let i = 0; i < values.length; i++) if ((r -= weights[i]!) < 0) return values[i]!;
      return values[values.length - 1]!;
    },
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(0, 3)]}${hex(3)}-${hex(12)}`,
  };
}

/** A seed for stream `index` of `seed` (FNV-1a over both), so each organization draws from its own stream. */
export function substream(seed: number, index: number): number {
  let h = 0x811c9dc5;
  for (const value of [seed >>> 0, index >>> 0]) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (value >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}
