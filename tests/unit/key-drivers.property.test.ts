/**
 * Property tests of Johnson's relative weights (worker/domain/key-drivers.ts) against a naive
 * reference: the Shapley decomposition of R² (LMG), brute-forced over every subset of predictors
 * with R²(S) from ordinary least squares by Gaussian elimination. The two methods are close but not
 * identical, so the tests assert what both must satisfy: each sums to R², neither is negative, and
 * for orthogonal predictors both equal the squared correlations. Seeded as
 * statistics.property.test.ts is (FC_SEED, FC_RUNS).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { correlationMatrix, relativeWeights, symmetricEigen } from '../../worker/domain/key-drivers.ts';

const SEED = Number(process.env.FC_SEED ?? 20_261_203);
const RUNS = Number(process.env.FC_RUNS ?? 200);

beforeAll(() => {
  console.log(`fast-check seed ${SEED} (override with FC_SEED), ${RUNS} runs`);
  fc.configureGlobal({ seed: SEED, numRuns: RUNS });
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number, tolerance = 1e-9) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

/** x solving A·x = b by Gaussian elimination with partial pivoting; null when A is (nearly) singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (Math.abs(m[pivot]![c]!) < 1e-12) return null;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** R² of the least-squares fit of y on the predictors in `subset`, from the correlation matrix. */
function rSquaredOf(r: number[][], y: number, subset: number[]): number {
  if (subset.length === 0) return 0;
  const rxx = subset.map((i) => subset.map((j) => r[i]![j]!));
  const rxy = subset.map((i) => r[i]![y]!);
  const beta = solve(rxx, rxy)!;
  return sum(beta.map((b, k) => b * rxy[k]!));
}

/** Shapley value of each predictor in R²: its marginal gain averaged over every order of entry. */
function shapley(predictors: number[][], outcome: number[]): { rSquared: number; values: number[] } {
  const p = predictors.length;
  const r = correlationMatrix([...predictors, outcome])!;
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const values = predictors.map((_, j) => {
    let value = 0;
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << j)) continue;
      const subset = [...Array(p).keys()].filter((i) => mask & (1 << i));
      const weight = (factorial(subset.length) * factorial(p - subset.length - 1)) / factorial(p);
      value += weight * (rSquaredOf(r, p, [...subset, j].sort()) - rSquaredOf(r, p, subset));
    }
    return value;
  });
  return { rSquared: rSquaredOf(r, p, [...Array(p).keys()]), values };
}

/** p predictors over n units (1-5 survey means with some spread), plus an outcome that depends on some of them. */
const dataset = fc
  .record({ p: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 3, max: 40 }) })
  .chain(({ p, extra }) => {
    const n = p + extra;
    const column = fc.array(fc.double({ min: 1, max: 5, noNaN: true }), { minLength: n, maxLength: n });
    return fc.record({
      predictors: fc.array(column, { minLength: p, maxLength: p }),
      noise: column,
      loadings: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: p, maxLength: p }),
    });
  })
  .map(({ predictors, noise, loadings }) => ({
    predictors,
    outcome: noise.map((e, i) => e + sum(predictors.map((c, j) => loadings[j]! * c[i]!))),
  }));

describe('relative weights against the brute-force Shapley decomposition of R²', () => {
  test('both sum to the same R² (the OLS R²), and neither is negative', () => {
    fc.assert(
      fc.property(dataset, ({ predictors, outcome }) => {
        const rw = relativeWeights(predictors, outcome);
        const naive = shapley(predictors, outcome);
        fc.pre(rw !== null);
        expect(close(rw!.rSquared, naive.rSquared, 1e-7), `${rw!.rSquared} vs ${naive.rSquared}`).toBe(true);
        expect(close(sum(rw!.raw), naive.rSquared, 1e-7)).toBe(true);
        expect(close(sum(naive.values), naive.rSquared, 1e-7)).toBe(true);
        for (const w of rw!.raw) expect(w).toBeGreaterThanOrEqual(-1e-12);
        for (const v of naive.values) expect(v).toBeGreaterThanOrEqual(-1e-9);
        if (naive.rSquared > 1e-9) expect(close(sum(rw!.rescaled), 1, 1e-7)).toBe(true);
      }),
    );
  });

  test('orthogonal predictors: both equal each predictor’s squared correlation with the outcome', () => {
    fc.assert(
      fc.property(dataset, ({ predictors, outcome }) => {
        // Gram–Schmidt on the centred columns makes them exactly uncorrelated.
        const centred = predictors.map((c) => c.map((x) => x - sum(c) / c.length));
        const orthogonal: number[][] = [];
        for (const c of centred) {
          const v = orthogonal.reduce((acc, q) => {
            const f = sum(acc.map((x, i) => x * q[i]!)) / sum(q.map((x) => x * x));
            return acc.map((x, i) => x - f * q[i]!);
          }, c);
          fc.pre(Math.sqrt(sum(v.map((x) => x * x))) > 1e-6 * Math.sqrt(sum(c.map((x) => x * x))) + 1e-9);
          orthogonal.push(v);
        }
        const rw = relativeWeights(orthogonal, outcome);
        fc.pre(rw !== null);
        const naive = shapley(orthogonal, outcome);
        const r = correlationMatrix([...orthogonal, outcome])!;
        orthogonal.forEach((_, j) => {
          const squared = r[j]![orthogonal.length]! ** 2;
          expect(close(rw!.raw[j]!, squared, 1e-7), `${rw!.raw[j]} vs ${squared}`).toBe(true);
          expect(close(naive.values[j]!, squared, 1e-7)).toBe(true);
        });
      }),
    );
  });

  test('invariant to positive affine rescaling of a predictor, and to the order of predictors', () => {
    fc.assert(
      fc.property(dataset, fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), ({ predictors, outcome }, a, b) => {
        const rw = relativeWeights(predictors, outcome);
        fc.pre(rw !== null);
        const scaled = relativeWeights([predictors[0]!.map((x) => a * x + b), ...predictors.slice(1)], outcome)!;
        scaled.raw.forEach((w, j) => expect(close(w, rw!.raw[j]!, 1e-6)).toBe(true));
        const reversed = relativeWeights([...predictors].reverse(), outcome)!;
        reversed.raw.forEach((w, j) => expect(close(w, rw!.raw[predictors.length - 1 - j]!, 1e-6)).toBe(true));
      }),
    );
  });
});

describe('symmetricEigen against its definition', () => {
  test('V·Λ·Vᵀ rebuilds the matrix, V is orthonormal, eigenvalues descend', () => {
    const symmetric = fc.integer({ min: 1, max: 10 }).chain((n) =>
      fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
    );
    fc.assert(
      fc.property(symmetric, (m) => {
        const a = m.map((row, i) => row.map((x, j) => (i <= j ? x : m[j]![i]!)));
        const { values, vectors } = symmetricEigen(a);
        const n = a.length;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const rebuilt = sum(values.map((l, k) => vectors[i]![k]! * l * vectors[j]![k]!));
            expect(Math.abs(rebuilt - a[i]![j]!)).toBeLessThan(1e-9 * (1 + Math.max(...a.flat().map(Math.abs))));
            const dot = sum(vectors.map((row) => row[i]! * row[j]!));
            expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-9);
          }
        }
        for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
      }),
    );
  });
});
