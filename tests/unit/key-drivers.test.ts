/**
 * Known answers and verdicts of the key-driver analysis (worker/domain/key-drivers.ts).
 */
import { describe, expect, test } from 'vitest';
import { type KeyDriverAnalysis, keyDrivers, minimumUnits, relativeWeights, symmetricEigen } from '../../worker/domain/key-drivers.ts';
import { mulberry32 } from '../../db/pool/random.ts';

/**
 * R's `mtcars` (Henderson & Velleman 1981): mpg, cyl, disp, hp, gear of the 32 cars. The published
 * answer is the rwa package's worked example (Chan, `rwa` README and CRAN vignette,
 * https://github.com/martinctc/rwa: `rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp",
 * "hp", "gear"))`), which implements Tonidandel & LeBreton (2015) / Johnson (2000).
 */
const MTCARS: [number, number, number, number, number][] = [
  [21.0, 6, 160.0, 110, 4], [21.0, 6, 160.0, 110, 4], [22.8, 4, 108.0, 93, 4], [21.4, 6, 258.0, 110, 3],
  [18.7, 8, 360.0, 175, 3], [18.1, 6, 225.0, 105, 3], [14.3, 8, 360.0, 245, 3], [24.4, 4, 146.7, 62, 4],
  [22.8, 4, 140.8, 95, 4], [19.2, 6, 167.6, 123, 4], [17.8, 6, 167.6, 123, 4], [16.4, 8, 275.8, 180, 3],
  [17.3, 8, 275.8, 180, 3], [15.2, 8, 275.8, 180, 3], [10.4, 8, 472.0, 205, 3], [10.4, 8, 460.0, 215, 3],
  [14.7, 8, 440.0, 230, 3], [32.4, 4, 78.7, 66, 4], [30.4, 4, 75.7, 52, 4], [33.9, 4, 71.1, 65, 4],
  [21.5, 4, 120.1, 97, 3], [15.5, 8, 318.0, 150, 3], [15.2, 8, 304.0, 150, 3], [13.3, 8, 350.0, 245, 3],
  [19.2, 8, 400.0, 175, 3], [27.3, 4, 79.0, 66, 4], [26.0, 4, 120.3, 91, 5], [30.4, 4, 95.1, 113, 5],
  [15.8, 8, 351.0, 264, 5], [19.7, 6, 145.0, 175, 5], [15.0, 8, 301.0, 335, 5], [21.4, 4, 121.0, 109, 4],
];
const mpg = MTCARS.map((car) => car[0]);
const mtcarsPredictors = [1, 2, 3, 4].map((j) => MTCARS.map((car) => car[j]!));

describe('relativeWeights: known answer', () => {
  test('mtcars mpg ~ cyl + disp + hp + gear reproduces the rwa package to 7 digits', () => {
    const got = relativeWeights(mtcarsPredictors, mpg)!;
    expect(got.rSquared).toBeCloseTo(0.7791896, 7);
    const published = [0.2284797, 0.2221469, 0.2321744, 0.0963886];
    got.raw.forEach((w, j) => expect(w).toBeCloseTo(published[j]!, 7));
    const rescaledPercent = [29.32274, 28.50999, 29.79691, 12.37037];
    got.rescaled.forEach((w, j) => expect(100 * w).toBeCloseTo(rescaledPercent[j]!, 5));
  });

  test('null for a constant predictor, perfectly collinear predictors, or too few units', () => {
    expect(relativeWeights([mpg.map(() => 3), mtcarsPredictors[0]!], mpg)).toBeNull();
    expect(relativeWeights([mtcarsPredictors[1]!, mtcarsPredictors[1]!.map((x) => 2 * x + 1)], mpg)).toBeNull();
    expect(relativeWeights(mtcarsPredictors.map((c) => c.slice(0, 5)), mpg.slice(0, 5))).toBeNull();
  });
});

describe('symmetricEigen', () => {
  test('a 2×2 with known eigenvalues 1 ± r', () => {
    const { values, vectors } = symmetricEigen([[1, 0.6], [0.6, 1]]);
    expect(values[0]).toBeCloseTo(1.6, 12);
    expect(values[1]).toBeCloseTo(0.4, 12);
    expect(Math.abs(vectors[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe('keyDrivers: the verdict is graded by the evidence', () => {
  const predictors = ['commitments', 'internalCulture', 'empowerment', 'recognition', 'leadershipSupport'];
  /** Units whose outcome follows recognition and empowerment plus noise; the other three are noise. */
  function units(n: number, seed = 5) {
    const random = mulberry32(seed);
    const rows = Array.from({ length: n }, () => predictors.map(() => 3 + random.normal() * 0.5));
    const values = rows.map((r) => 0.6 * r[3]! + 0.4 * r[2]! + 0.3 * random.normal());
    return { predictors, rows, outcomes: [{ name: "units' CSAT", values }] };
  }

  test('below the documented minimum: too few units to say, no driver named', () => {
    const [got] = keyDrivers(units(minimumUnits(5) - 1)) as [KeyDriverAnalysis];
    expect(got.grade).toBe('too-few-units');
    expect(got.verdict).toMatch(/^Too few units to say/);
    expect(got.drivers).toEqual([]);
    expect(got.rSquared).toBeNull();
    expect(minimumUnits(5)).toBe(25);
    expect(minimumUnits(8)).toBe(40);
  });

  test('enough units: names exactly the drivers whose interval versus noise excludes zero, says "associated", never "causes"', () => {
    const [got] = keyDrivers(units(120)) as [KeyDriverAnalysis];
    expect(got.grade).toBe('drivers');
    expect(got.resamples).toBe(1000);
    const named = got.drivers.filter((d) => d.associated).map((d) => d.name);
    expect(named.sort()).toEqual(['empowerment', 'recognition']);
    for (const d of got.drivers) {
      expect(d.associated).toBe(d.versusRandom.low > 0);
      expect(d.interval.low).toBeLessThanOrEqual(d.rawWeight);
      expect(d.interval.high).toBeGreaterThanOrEqual(d.rawWeight);
    }
    expect(got.verdict).toContain('associated with recognition and empowerment');
    expect(got.verdict).not.toMatch(/\bcauses\b/);
    const total = got.drivers.reduce((s, d) => s + d.rawWeight, 0);
    expect(total).toBeCloseTo(got.rSquared!, 12);
  });

  test('pure noise: no driver is named', () => {
    const random = mulberry32(9);
    const input = units(60);
    const noise = input.rows.map(() => random.normal());
    const [got, signal] = keyDrivers({ ...input, outcomes: [{ name: 'noise', values: noise }, ...input.outcomes] }) as [KeyDriverAnalysis, KeyDriverAnalysis];
    expect(got.grade).toBe('no-clear-driver');
    expect(got.drivers.some((d) => d.associated)).toBe(false);
    expect(got.verdict).toMatch(/no driver .* stands out from chance/);
    // Analysed beside it, in the same resamples, the real outcome still finds its drivers.
    expect(signal.grade).toBe('drivers');
  });

  test('an outcome analysed beside another gets the same answer as alone', () => {
    const input = units(60);
    const [alone] = keyDrivers(input) as [KeyDriverAnalysis];
    const [together] = keyDrivers({ ...input, outcomes: [...input.outcomes, { name: 'twice', values: input.outcomes[0]!.values.map((x) => 2 * x) }] }) as [KeyDriverAnalysis];
    expect(together).toEqual(alone);
  });

  test('deterministic: the same data and seed give the same intervals', () => {
    expect(keyDrivers(units(50))).toEqual(keyDrivers(units(50)));
    expect(keyDrivers(units(50), { seed: 1 })).not.toEqual(keyDrivers(units(50), { seed: 2 }));
  });
});
