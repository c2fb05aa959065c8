/**
 * Property tests of the change tests (worker/domain/change.ts) against naive references computed
 * from raw answers that fast-check generates: Welch's t and its degrees of freedom written directly
 * from two samples, the pooled two-proportion z from 0/1 answers, the net-score change from the
 * per-answer +1/0/−1 scores, and Student's t tail against its closed forms at 1 and 2 degrees of
 * freedom. Seeded as statistics.property.test.ts is (FC_SEED, FC_RUNS).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { meanChange, netScoreChange, normalTwoSided, shareChange, studentTQuantile, studentTTwoSided } from '../../worker/domain/change.ts';
import { meanOf, Z95 } from '../../worker/domain/statistics.ts';

const SEED = Number(process.env.FC_SEED ?? 20_261_203);
const RUNS = Number(process.env.FC_RUNS ?? 300);

beforeAll(() => {
  console.log(`fast-check seed ${SEED} (override with FC_SEED), ${RUNS} runs`);
  fc.configureGlobal({ seed: SEED, numRuns: RUNS });
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number, rel = 1e-9, abs = 1e-9) => Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
const score5 = fc.integer({ min: 1, max: 5 });
const score10 = fc.integer({ min: 0, max: 10 });
const estimate = (xs: readonly number[]) => meanOf(xs.length, sum(xs), sum(xs.map((x) => x * x)))!;

describe('meanChange against Welch’s formulas written from the raw samples', () => {
  function welch(a: readonly number[], b: readonly number[]) {
    const variance = (xs: readonly number[]) => sum(xs.map((x) => (x - sum(xs) / xs.length) ** 2)) / (xs.length - 1);
    const va = variance(a) / a.length;
    const vb = variance(b) / b.length;
    return { t: (sum(a) / a.length - sum(b) / b.length) / Math.sqrt(va + vb), df: (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) };
  }
  const samples = fc.tuple(fc.array(score5, { minLength: 2, maxLength: 300 }), fc.array(score5, { minLength: 2, maxLength: 300 }));
  const varied = (xs: readonly number[]) => xs.some((x) => x !== xs[0]);

  test('t and df agree; the interval is centred on the difference; significant ⇔ p < 0.05 ⇔ the interval excludes 0', () => {
    fc.assert(
      fc.property(samples, ([a, b]) => {
        fc.pre(varied(a) || varied(b));
        const got = meanChange(estimate(a), estimate(b))!;
        const want = welch(a, b);
        expect(close(got.statistic, want.t, 1e-6, 1e-9), `${got.statistic} vs ${want.t}`).toBe(true);
        expect(close(got.degreesOfFreedom!, want.df, 1e-6, 1e-9)).toBe(true);
        expect(Math.min(a.length, b.length) - 1 - 1e-9).toBeLessThanOrEqual(got.degreesOfFreedom!);
        expect(got.degreesOfFreedom!).toBeLessThanOrEqual(a.length + b.length - 2 + 1e-9);
        expect(close((got.interval.low + got.interval.high) / 2, got.difference, 1e-9, 1e-12)).toBe(true);
        const excludesZero = got.interval.low > 0 || got.interval.high < 0;
        // Exactly on the boundary the two can round differently; everywhere else they agree.
        if (Math.abs(got.pValue - 0.05) > 1e-9) {
          expect(got.significant).toBe(got.pValue < 0.05);
          expect(got.significant).toBe(excludesZero);
        }
      }),
    );
  });

  test('antisymmetric: swapping the periods flips the difference and keeps the verdict', () => {
    fc.assert(
      fc.property(samples, ([a, b]) => {
        fc.pre(varied(a) || varied(b));
        const forward = meanChange(estimate(a), estimate(b))!;
        const backward = meanChange(estimate(b), estimate(a))!;
        expect(close(forward.difference, -backward.difference, 1e-12, 1e-12)).toBe(true);
        expect(close(forward.pValue, backward.pValue, 1e-9, 1e-12)).toBe(true);
      }),
    );
  });
});

describe('Student t tail and quantile', () => {
  const t = fc.double({ min: 0, max: 1e4, noNaN: true });
  test('matches the closed forms at 1 df (Cauchy) and 2 df', () => {
    fc.assert(
      fc.property(t, (x) => {
        expect(close(studentTTwoSided(x, 1), 1 - (2 / Math.PI) * Math.atan(x), 1e-8, 1e-12)).toBe(true);
        expect(close(studentTTwoSided(x, 2), 1 - x / Math.sqrt(2 + x * x), 1e-8, 1e-12)).toBe(true);
      }),
    );
  });
  test('approaches the normal tail as df grows, and is heavier below it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 6, noNaN: true }), fc.double({ min: 1, max: 1000, noNaN: true }), (x, df) => {
        // At 10⁶ df the two differ by O(1/df); the normal tail itself is good to about 1e-7.
        expect(close(studentTTwoSided(x, 1e6), normalTwoSided(x), 1e-5, 1e-5)).toBe(true);
        expect(studentTTwoSided(x, df)).toBeGreaterThanOrEqual(normalTwoSided(x) - 1e-7);
      }),
    );
  });
  test('the quantile inverts the tail', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 0.9999, noNaN: true }), fc.double({ min: 1, max: 500, noNaN: true }), (p, df) => {
        fc.pre(p > 0.5001);
        expect(close(studentTTwoSided(studentTQuantile(p, df), df), 2 * (1 - p), 1e-7, 1e-12)).toBe(true);
      }),
    );
  });
});

describe('shareChange against the pooled z from 0/1 answers', () => {
  const answers = fc.array(fc.boolean(), { minLength: 1, maxLength: 500 });
  test('z agrees; the Newcombe interval contains the difference and stays within [−1, 1]', () => {
    fc.assert(
      fc.property(answers, answers, (a, b) => {
        const k = (xs: boolean[]) => xs.filter(Boolean).length;
        const got = shareChange({ successes: k(a), n: a.length }, { successes: k(b), n: b.length })!;
        const all = [...a, ...b];
        const pooled = k(all) / all.length;
        const difference = k(a) / a.length - k(b) / b.length;
        expect(close(got.difference, difference, 1e-12, 1e-12)).toBe(true);
        if (pooled > 0 && pooled < 1) {
          const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / a.length + 1 / b.length));
          expect(close(got.statistic, z, 1e-9, 1e-9)).toBe(true);
          expect(got.significant).toBe(Math.abs(z) > Z95);
        }
        expect(got.interval.low).toBeLessThanOrEqual(difference + 1e-12);
        expect(got.interval.high).toBeGreaterThanOrEqual(difference - 1e-12);
        expect(got.interval.low).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(got.interval.high).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});

describe('netScoreChange against the per-answer scores', () => {
  const answers = fc.array(score10, { minLength: 1, maxLength: 500 });
  test('difference and standard error from the +1/0/−1 scores’ variances; significant ⇔ the interval excludes 0', () => {
    fc.assert(
      fc.property(answers, answers, (a, b) => {
        const counts = (xs: number[]) => ({ promoters: xs.filter((x) => x >= 9).length, detractors: xs.filter((x) => x <= 6).length, n: xs.length });
        const scores = (xs: number[]) => xs.map((x) => (x >= 9 ? 100 : x <= 6 ? -100 : 0));
        const mean = (xs: number[]) => sum(xs) / xs.length;
        const variance = (xs: number[]) => sum(xs.map((x) => (x - mean(xs)) ** 2)) / xs.length;
        const got = netScoreChange(counts(a), counts(b))!;
        const difference = mean(scores(a)) - mean(scores(b));
        const se = Math.sqrt(variance(scores(a)) / a.length + variance(scores(b)) / b.length);
        expect(close(got.difference, difference, 1e-9, 1e-9)).toBe(true);
        if (se > 1e-9) {
          expect(close(got.interval.high - got.difference, Z95 * se, 1e-6, 1e-9)).toBe(true);
          expect(got.significant).toBe(got.interval.low > 0 || got.interval.high < 0);
        }
      }),
    );
  });
});
