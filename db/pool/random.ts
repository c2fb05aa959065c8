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

const HEX = '0123456789abcdef';

/**
 * A class, not closures: the pool makes one per rating (generate.ts, `withRegistryAnswers`), and a fresh set of
 * named closures per instance was most of the pool's generation time.
 */
class Mulberry32 implements Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)]!;
  }

  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) if ((r -= weights[i]!) < 0) return values[i]!;
    return values[values.length - 1]!;
  }

  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  uuid(): string {
    return `${this.#hex(8)}-${this.#hex(4)}-4${this.#hex(3)}-${'89ab'[this.int(0, 3)]}${this.#hex(3)}-${this.#hex(12)}`;
  }

  #hex(digits: number): string {
    let text = '';
    for (let i = 0; i < digits; i++) text += HEX[this.int(0, 15)];
    return text;
  }
}

export function mulberry32(seed: number): Random {
  return new Mulberry32(seed);
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
