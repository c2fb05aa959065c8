/**
 * Property tests of the pure statistics (worker/domain/statistics.ts) and of measureValue
 * (worker/domain/measures.ts) against naive references computed from raw arrays that fast-check
 * generates. The seed is fixed and printed; FC_SEED=<n> overrides it (FC_RUNS the run count), so
 * a failure reproduces with the seed fast-check reports.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals, sumTotals } from '../../worker/db/rollup-totals.ts';
import { measureValue } from '../../worker/domain/measures.ts';
import { meanOf, netScore, pearson, percentile, percentileRank, wilsonInterval, Z95 } from '../../worker/domain/statistics.ts';

const SEED = Number(process.env.FC_SEED ?? 20_261_123);
const RUNS = Number(process.env.FC_RUNS ?? 300);

beforeAll(() => {
  console.log(`fast-check seed ${SEED} (override with FC_SEED), ${RUNS} runs`);
  fc.configureGlobal({ seed: SEED, numRuns: RUNS });
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** |a − b| ≤ abs + rel·max(|a|, |b|). */
function close(a: number, b: number, rel = 1e-9, abs = 1e-9): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

/** Scores on the instruments' scales. */
const score5 = fc.integer({ min: 1, max: 5 });
const score10 = fc.integer({ min: 0, max: 10 });
/** Finite doubles of a plausible magnitude. */
const real = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

describe('meanOf, against a two-pass mean and sample SD / √n', () => {
  function twoPass(xs: readonly number[]) {
    const n = xs.length;
    const mean = sum(xs) / n;
    const ss = sum(xs.map((x) => (x - mean) ** 2));
    return { mean, se: n < 2 ? null : Math.sqrt(ss / (n - 1) / n) };
  }

  test('scores (1-5, 0-10): mean and standard error agree', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(score5, { minLength: 1, maxLength: 400 }), fc.array(score10, { minLength: 1, maxLength: 400 })), (xs) => {
        const got = meanOf(xs.length, sum(xs), sum(xs.map((x) => x * x)))!;
        const want = twoPass(xs);
        expect(got.n).toBe(xs.length);
        expect(close(got.mean, want.mean, 1e-12, 1e-12)).toBe(true);
        if (want.se === null) expect(got.standardError).toBeNull();
        else expect(close(got.standardError!, want.se, 1e-6, 1e-7), `${got.standardError} vs ${want.se}`).toBe(true);
      }),
    );
  });

  test('doubles: the mean agrees and the standard error is never negative or NaN', () => {
    fc.assert(
      fc.property(fc.array(real, { minLength: 1, maxLength: 200 }), (xs) => {
        const got = meanOf(xs.length, sum(xs), sum(xs.map((x) => x * x)))!;
        expect(close(got.mean, twoPass(xs).mean, 1e-9, 1e-6)).toBe(true);
        if (xs.length >= 2) {
          expect(Number.isFinite(got.standardError)).toBe(true);
          expect(got.standardError).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  test('n ≤ 0 is null', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 0 }), real, (n, s) => {
      expect(meanOf(n, s, s * s)).toBeNull();
    }));
  });
});

describe('wilsonInterval', () => {
  /** The closed form written the other way round: (2np̂ + z² ± z√(z² + 4np̂(1−p̂))) / (2(n + z²)). */
  function wilsonReference(k: number, n: number, z = Z95) {
    const p = k / n;
    const root = z * Math.sqrt(z * z + 4 * n * p * (1 - p));
    const denominator = 2 * (n + z * z);
    return { low: Math.max(0, (2 * n * p + z * z - root) / denominator), high: Math.min(1, (2 * n * p + z * z + root) / denominator) };
  }
  const successesOfN = fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  test('matches the closed form, contains p̂, stays within [0, 1]', () => {
    fc.assert(
      fc.property(successesOfN, ([k, n]) => {
        const got = wilsonInterval(k, n)!;
        const want = wilsonReference(k, n);
        expect(close(got.low, want.low, 1e-9, 1e-12)).toBe(true);
        expect(close(got.high, want.high, 1e-9, 1e-12)).toBe(true);
        const p = k / n;
        expect(got.low).toBeLessThanOrEqual(p + 1e-12);
        expect(got.high).toBeGreaterThanOrEqual(p - 1e-12);
        expect(got.low).toBeGreaterThanOrEqual(0);
        expect(got.high).toBeLessThanOrEqual(1);
        expect(got.low).toBeLessThanOrEqual(got.high);
      }),
    );
  });

  test('narrows with n at the same p̂', () => {
    fc.assert(
      fc.property(successesOfN, fc.integer({ min: 2, max: 10 }), ([k, n], m) => {
        const small = wilsonInterval(k, n)!;
        const large = wilsonInterval(k * m, n * m)!;
        expect(large.high - large.low).toBeLessThan(small.high - small.low + 1e-12);
      }),
    );
  });

  test('n ≤ 0 is null', () => expect(wilsonInterval(0, 0)).toBeNull());
});

describe('netScore, from raw 0-10 answers', () => {
  test('score = 100·(p⁺ − p⁻); the interval contains it and is within ±100', () => {
    fc.assert(
      fc.property(fc.array(score10, { minLength: 1, maxLength: 500 }), (answers) => {
        const promoters = answers.filter((a) => a >= 9).length;
        const detractors = answers.filter((a) => a <= 6).length;
        const got = netScore(promoters, detractors, answers.length)!;
        const want = 100 * (promoters / answers.length - detractors / answers.length);
        expect(close(got.score, want, 1e-12, 1e-12)).toBe(true);
        expect(got).toMatchObject({ n: answers.length, promoters, detractors });
        expect(got.score).toBeGreaterThanOrEqual(-100);
        expect(got.score).toBeLessThanOrEqual(100);
        expect(got.interval.low).toBeLessThanOrEqual(got.score + 1e-9);
        expect(got.interval.high).toBeGreaterThanOrEqual(got.score - 1e-9);
        expect(got.interval.low).toBeGreaterThanOrEqual(-100);
        expect(got.interval.high).toBeLessThanOrEqual(100);
        // The half-width is that of a multinomial difference, from the raw scores' variance.
        const scores = answers.map((a) => (a >= 9 ? 1 : a <= 6 ? -1 : 0));
        const mean = sum(scores) / scores.length;
        const half = 100 * Z95 * Math.sqrt(sum(scores.map((s) => (s - mean) ** 2)) / scores.length / scores.length);
        expect(close(got.interval.low, Math.max(-100, got.score - half), 1e-9, 1e-9)).toBe(true);
        expect(close(got.interval.high, Math.min(100, got.score + half), 1e-9, 1e-9)).toBe(true);
      }),
    );
  });

  test('n ≤ 0 is null', () => expect(netScore(0, 0, 0)).toBeNull());
});

describe('percentile (type 7)', () => {
  /** Hyndman & Fan type 7 from its definition: 1-based h = (n − 1)p + 1, x⌊h⌋ + (h − ⌊h⌋)(x⌈h⌉ − x⌊h⌋). */
  function type7(sorted: readonly number[], p: number): number {
    const h = (sorted.length - 1) * p + 1;
    const lo = sorted[Math.floor(h) - 1]!;
    const hi = sorted[Math.min(sorted.length, Math.ceil(h)) - 1]!;
    return lo + (h - Math.floor(h)) * (hi - lo);
  }
  const sortedReals = fc.array(real, { minLength: 1, maxLength: 200 }).map((xs) => [...xs].sort((a, b) => a - b));
  const probability = fc.double({ min: 0, max: 1, noNaN: true });

  test('matches the naive definition; stays within [min, max]; hits min and max at p = 0 and 1', () => {
    fc.assert(
      fc.property(sortedReals, probability, (xs, p) => {
        const got = percentile(xs, p)!;
        expect(close(got, type7(xs, p), 1e-9, 1e-6)).toBe(true);
        expect(got).toBeGreaterThanOrEqual(xs[0]! - 1e-6);
        expect(got).toBeLessThanOrEqual(xs.at(-1)! + 1e-6);
        expect(percentile(xs, 0)).toBe(xs[0]);
        expect(percentile(xs, 1)).toBe(xs.at(-1));
      }),
    );
  });

  test('monotone in p', () => {
    fc.assert(
      fc.property(sortedReals, probability, probability, (xs, a, b) => {
        const [p, q] = a <= b ? [a, b] : [b, a];
        expect(percentile(xs, p)!).toBeLessThanOrEqual(percentile(xs, q)! + 1e-6);
      }),
    );
  });

  test('empty is null', () => expect(percentile([], 0.5)).toBeNull());
});

describe('percentileRank (mid-rank)', () => {
  const values = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 100 });

  test('matches a naive count; within [0, 100]', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: -25, max: 25 }), (xs, v) => {
        const below = xs.filter((x) => x < v).length;
        const equal = xs.filter((x) => x === v).length;
        const got = percentileRank(xs, v)!;
        expect(close(got, (100 * (below + equal / 2)) / xs.length, 1e-12, 1e-12)).toBe(true);
        expect(got).toBeGreaterThanOrEqual(0);
        expect(got).toBeLessThanOrEqual(100);
      }),
    );
  });

  test('a member of its own population ranks strictly inside (0, 100)', () => {
    fc.assert(fc.property(values, fc.nat(), (xs, i) => {
      const rank = percentileRank(xs, xs[i % xs.length]!)!;
      expect(rank).toBeGreaterThan(0);
      expect(rank).toBeLessThan(100);
    }));
  });

  test('50 when every value is equal', () => {
    fc.assert(fc.property(real, fc.integer({ min: 1, max: 100 }), (v, n) => {
      expect(percentileRank(Array(n).fill(v), v)).toBe(50);
    }));
  });

  test('empty is null', () => expect(percentileRank([], 1)).toBeNull());
});

describe('pearson', () => {
  /** The textbook one-pass formula over raw sums; exact for small integers. */
  function naiveR(xs: readonly number[], ys: readonly number[]): number {
    const n = xs.length;
    const sx = sum(xs);
    const sy = sum(ys);
    const sxy = sum(xs.map((x, i) => x * ys[i]!));
    const sxx = sum(xs.map((x) => x * x));
    const syy = sum(ys.map((y) => y * y));
    return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  }
  const pairs = fc
    .integer({ min: 3, max: 200 })
    .chain((n) => fc.tuple(fc.array(score5, { minLength: n, maxLength: n }), fc.array(score5, { minLength: n, maxLength: n })));
  const varied = (xs: readonly number[]) => xs.some((x) => x !== xs[0]);

  test('matches the naive formula, is within [−1, 1], and its interval contains r', () => {
    fc.assert(
      fc.property(pairs, ([xs, ys]) => {
        const got = pearson(xs, ys);
        if (!varied(xs) || !varied(ys)) {
          expect(got).toBeNull();
          return;
        }
        expect(close(got!.r, naiveR(xs, ys), 1e-9, 1e-9), `${got!.r} vs ${naiveR(xs, ys)}`).toBe(true);
        expect(Math.abs(got!.r)).toBeLessThanOrEqual(1);
        if (xs.length > 3) {
          expect(got!.interval!.low).toBeLessThanOrEqual(got!.r + 1e-9);
          expect(got!.interval!.high).toBeGreaterThanOrEqual(got!.r - 1e-9);
        } else expect(got!.interval).toBeNull();
      }),
    );
  });

  test('symmetric in its arguments', () => {
    fc.assert(fc.property(pairs, ([xs, ys]) => {
      expect(pearson(xs, ys)?.r).toBe(pearson(ys, xs)?.r);
    }));
  });

  test('invariant to positive affine transforms; a negative scale flips the sign', () => {
    fc.assert(
      fc.property(pairs, fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.double({ min: -1000, max: 1000, noNaN: true }), ([xs, ys], a, b) => {
        fc.pre(varied(xs) && varied(ys));
        const r = pearson(xs, ys)!.r;
        expect(close(pearson(xs.map((x) => a * x + b), ys)!.r, r, 1e-9, 1e-9)).toBe(true);
        expect(close(pearson(xs, ys.map((y) => -a * y + b))!.r, -r, 1e-9, 1e-9)).toBe(true);
      }),
    );
  });

  test('null without variation in either variable, for integers and for doubles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 100 }), real, fc.array(real, { minLength: 100, maxLength: 100 }), (n, constant, ys) => {
        const flat = Array<number>(n).fill(constant);
        expect(pearson(flat, ys.slice(0, n))).toBeNull();
        expect(pearson(ys.slice(0, n), flat)).toBeNull();
      }),
    );
  });

  test('null under three pairs', () => expect(pearson([1, 2], [2, 1])).toBeNull());
});

describe('measureValue from rollup totals equals the measure from the raw ratings', () => {
  interface External { overall: number; recommend: number | null }
  interface Internal { support: [number, number, number, number, number]; willingness: number }
  const external = fc.record({ overall: score5, recommend: fc.option(score10, { nil: null }) });
  const internal = fc.record({ support: fc.tuple(score5, score5, score5, score5, score5), willingness: score5 });

  /** The rollup row of a group of ratings, as EXTERNAL_ROLLUP / INTERNAL_ROLLUP define its columns. */
  function externalRow(rs: readonly External[]): ExternalTotals {
    const recommends = rs.flatMap((r) => (r.recommend === null ? [] : [r.recommend]));
    return {
      ...EMPTY_EXTERNAL_TOTALS,
      ratings: rs.length,
      overallSum: sum(rs.map((r) => r.overall)),
      overallSumSq: sum(rs.map((r) => r.overall ** 2)),
      satisfied: rs.filter((r) => r.overall >= 4).length,
      dissatisfied: rs.filter((r) => r.overall <= 2).length,
      recommendN: recommends.length,
      promoters: recommends.filter((x) => x >= 9).length,
      detractors: recommends.filter((x) => x <= 6).length,
    };
  }
  function internalRow(rs: readonly Internal[]): InternalTotals {
    const totals = rs.map((r) => sum(r.support));
    const column = (i: number) => rs.map((r) => r.support[i]!);
    return {
      ...EMPTY_INTERNAL_TOTALS,
      respondents: rs.length,
      commitmentsSum: sum(column(0)),
      commitmentsSumSq: sum(column(0).map((x) => x * x)),
      internalCultureSum: sum(column(1)),
      internalCultureSumSq: sum(column(1).map((x) => x * x)),
      empowermentSum: sum(column(2)),
      empowermentSumSq: sum(column(2).map((x) => x * x)),
      recognitionSum: sum(column(3)),
      recognitionSumSq: sum(column(3).map((x) => x * x)),
      leadershipSupportSum: sum(column(4)),
      leadershipSupportSumSq: sum(column(4).map((x) => x * x)),
      willingnessSum: sum(rs.map((r) => r.willingness)),
      willingnessSumSq: sum(rs.map((r) => r.willingness ** 2)),
      supportTotalSum: sum(totals),
      supportTotalSumSq: sum(totals.map((t) => t * t)),
      willingnessFavourable: rs.filter((r) => r.willingness >= 4).length,
    };
  }
  /** Ratings split into rollup rows (as days and units split them), then summed as the API sums them. */
  const groups = <T>(item: fc.Arbitrary<T>) => fc.array(fc.array(item, { maxLength: 40 }), { maxLength: 8 });

  test('CSAT, NPS and overall', () => {
    fc.assert(
      fc.property(groups(external), (rows) => {
        const raw = rows.flat();
        const totals = sumTotals(rows.map(externalRow), EMPTY_EXTERNAL_TOTALS);
        const csat = measureValue('csat', totals, EMPTY_INTERNAL_TOTALS);
        const nps = measureValue('nps', totals, EMPTY_INTERNAL_TOTALS);
        const overall = measureValue('overall', totals, EMPTY_INTERNAL_TOTALS);
        if (raw.length === 0) {
          expect([csat, nps, overall]).toEqual([null, null, null]);
          return;
        }
        expect(close(csat!, raw.filter((r) => r.overall >= 4).length / raw.length, 1e-12, 1e-12)).toBe(true);
        expect(close(overall!, sum(raw.map((r) => r.overall)) / raw.length, 1e-12, 1e-12)).toBe(true);
        const answered = raw.flatMap((r) => (r.recommend === null ? [] : [r.recommend]));
        if (answered.length === 0) expect(nps).toBeNull();
        else {
          const perAnswer = answered.map((a) => (a >= 9 ? 100 : a <= 6 ? -100 : 0));
          expect(close(nps!, sum(perAnswer) / answered.length, 1e-12, 1e-9)).toBe(true);
        }
      }),
    );
  });

  test('support index: the mean over respondents of their five scores’ mean', () => {
    fc.assert(
      fc.property(groups(internal), (rows) => {
        const raw = rows.flat();
        const totals = sumTotals(rows.map(internalRow), EMPTY_INTERNAL_TOTALS);
        const index = measureValue('supportIndex', EMPTY_EXTERNAL_TOTALS, totals);
        const willingness = measureValue('willingness', EMPTY_EXTERNAL_TOTALS, totals);
        if (raw.length === 0) {
          expect([index, willingness]).toEqual([null, null]);
          return;
        }
        expect(close(index!, sum(raw.map((r) => sum(r.support) / 5)) / raw.length, 1e-12, 1e-12)).toBe(true);
        expect(close(willingness!, sum(raw.map((r) => r.willingness)) / raw.length, 1e-12, 1e-12)).toBe(true);
      }),
    );
  });
});
