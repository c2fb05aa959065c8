/**
 * Respondent-level key drivers (worker/domain/respondent-drivers.ts): a known answer from a design
 * whose weights follow by hand, the documented minimum, and a property test against a naive
 * reference (ordinary least squares on the raw answers, with an intercept, by Gaussian elimination
 * of the normal equations: no correlation matrix, no eigen-decomposition). The estimator itself is
 * checked against a published worked example (R's mtcars, the rwa package) in key-drivers.test.ts.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ENPS_DRIVERS,
  minimumRespondents,
  RESPONDENT_COLUMNS,
  type RespondentRow,
  respondentKeyDrivers,
  WILLINGNESS_DRIVERS,
} from '../../worker/domain/respondent-drivers.ts';
import { DEFAULT_POOL_SEED, generateOrganization } from '../../db/pool/generate.ts';

const SEED = Number(process.env.FC_SEED ?? 20_261_203);
const RUNS = Number(process.env.FC_RUNS ?? 40);

beforeAll(() => {
  console.log(`fast-check seed ${SEED} (override with FC_SEED), ${RUNS} runs`);
  fc.configureGlobal({ seed: SEED, numRuns: RUNS });
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const at = (name: (typeof RESPONDENT_COLUMNS)[number]) => RESPONDENT_COLUMNS.indexOf(name);

/**
 * A full 2^7 factorial: each of the seven willingness drivers at 2 or 4 in every combination, so
 * the drivers are exactly uncorrelated; willingness = (recognition + empowerment) / 2 (2, 3 or 4).
 * With uncorrelated drivers each relative weight is the driver's squared correlation with the
 * outcome (Johnson 2000): recognition and empowerment each explain half, the others nothing, R² = 1.
 */
function factorial(): RespondentRow[] {
  return Array.from({ length: 128 }, (_, i) => {
    const drivers = WILLINGNESS_DRIVERS.map((_, j) => ((i >> j) & 1 ? 4 : 2));
    const willingness = (drivers[at('recognition')]! + drivers[at('empowerment')]!) / 2;
    return [...drivers, willingness, i % 2 ? 2 * willingness : null];
  });
}

describe('respondentKeyDrivers: known answer', () => {
  test('a 2^7 factorial: recognition and empowerment each account for half of willingness, the rest for nothing', () => {
    const { willingness } = respondentKeyDrivers(factorial(), { resamples: 200 });
    expect(willingness).toMatchObject({ n: 128, minimumRespondents: 70, grade: 'drivers' });
    expect(willingness.rSquared).toBeCloseTo(1, 9);
    const weight = Object.fromEntries(willingness.drivers.map((d) => [d.name, d.rawWeight]));
    expect(weight.recognition).toBeCloseTo(0.5, 9);
    expect(weight.empowerment).toBeCloseTo(0.5, 9);
    for (const name of ['commitments', 'internalCulture', 'leadershipSupport', 'knowledge', 'ability']) expect(weight[name]).toBeCloseTo(0, 9);
    expect(willingness.drivers.filter((d) => d.associated).map((d) => d.name).sort()).toEqual(['empowerment', 'recognition']);
    expect(willingness.verdict).toMatch(/^Across 128 respondents, staff's willingness is associated with (recognition and empowerment|empowerment and recognition)/);
    expect(willingness.verdict).not.toMatch(/\bcauses\b/);
  });

  test('eNPS uses only the respondents who answered it: 64 of 128 is below its minimum of 80', () => {
    const { enps } = respondentKeyDrivers(factorial(), { resamples: 50 });
    expect(enps).toMatchObject({ n: 64, minimumRespondents: 80, grade: 'too-few-respondents', drivers: [], rSquared: null });
    expect(enps.verdict).toBe('Too few respondents to say: 64 respondents answered; at least 80 are needed for 8 drivers.');
  });

  test('the documented minimum: max(30, 10 per driver)', () => {
    expect(minimumRespondents(WILLINGNESS_DRIVERS.length)).toBe(70);
    expect(minimumRespondents(ENPS_DRIVERS.length)).toBe(80);
    expect(minimumRespondents(2)).toBe(30);
    const rows = factorial().slice(0, 69);
    expect(respondentKeyDrivers(rows, { resamples: 10 }).willingness.grade).toBe('too-few-respondents');
  });
});

/** x solving A·x = b by Gaussian elimination with partial pivoting; null when A is (nearly) singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (Math.abs(m[pivot]![c]!) < 1e-9) return null;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** R² of y on x (rows of raw answers) with an intercept, from the normal equations XᵀX·β = Xᵀy. */
function naiveRSquared(x: number[][], y: number[]): number | null {
  const design = x.map((row) => [1, ...row]);
  const k = design[0]!.length;
  const xtx = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => sum(design.map((row) => row[i]! * row[j]!))));
  const xty = Array.from({ length: k }, (_, i) => sum(design.map((row, r) => row[i]! * y[r]!)));
  const beta = solve(xtx, xty);
  if (!beta) return null;
  const mean = sum(y) / y.length;
  const residual = sum(design.map((row, r) => (y[r]! - sum(row.map((v, i) => v * beta[i]!))) ** 2));
  const total = sum(y.map((v) => (v - mean) ** 2));
  return 1 - residual / total;
}

/** Respondents' 1-5 answers with a shared level (so drivers correlate, as survey answers do), some without a recommend answer. */
const respondents = fc
  .array(
    fc.record({
      level: fc.integer({ min: 1, max: 5 }),
      offsets: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 8, maxLength: 8 }),
      recommend: fc.option(fc.integer({ min: 0, max: 10 }), { freq: 4 }),
    }),
    { minLength: 80, maxLength: 160 },
  )
  .map((list) =>
    list.map(({ level, offsets, recommend }): RespondentRow => {
      const scores = offsets.map((o) => Math.min(5, Math.max(1, level + o)));
      return [...scores, recommend];
    }),
  );

describe('respondentKeyDrivers against naive least squares on the raw answers', () => {
  test('R² equals the OLS R² of each outcome on its drivers, the weights sum to it, none is negative; eNPS only over those who answered', () => {
    fc.assert(
      fc.property(respondents, (rows) => {
        const got = respondentKeyDrivers(rows, { resamples: 20 });
        const cases = [
          { analysis: got.willingness, drivers: WILLINGNESS_DRIVERS as readonly string[], outcome: at('willingness'), sample: rows },
          { analysis: got.enps, drivers: ENPS_DRIVERS as readonly string[], outcome: at('recommendEmployer'), sample: rows.filter((r) => r[at('recommendEmployer')] !== null) },
        ];
        for (const { analysis, drivers, outcome, sample } of cases) {
          expect(analysis.n).toBe(sample.length);
          if (analysis.rSquared === null) continue;
          const naive = naiveRSquared(
            sample.map((r) => drivers.map((name) => r[at(name as (typeof RESPONDENT_COLUMNS)[number])]!)),
            sample.map((r) => r[outcome]!),
          );
          expect(naive).not.toBeNull();
          expect(analysis.rSquared).toBeCloseTo(naive!, 7);
          expect(sum(analysis.drivers.map((d) => d.rawWeight))).toBeCloseTo(naive!, 7);
          for (const d of analysis.drivers) expect(d.rawWeight).toBeGreaterThanOrEqual(-1e-12);
          for (const d of analysis.drivers) expect(d.associated).toBe(d.versusRandom.low > 0);
        }
      }),
    );
  });
});

describe('on the reference pool', () => {
  test('an organization’s answers over the pool’s period are analysed: enough respondents, R² and a verdict for both outcomes', () => {
    const organization = generateOrganization(DEFAULT_POOL_SEED, 0, new Date('2026-11-23T10:00:00Z'));
    const rows: RespondentRow[] = organization.internal.map((r) => [
      r.commitments, r.internal_culture, r.empowerment, r.recognition, r.leadership_support, r.knowledge, r.ability, r.willingness, r.recommend_employer ?? null,
    ]);
    const { willingness, enps } = respondentKeyDrivers(rows, { resamples: 200 });
    expect(willingness.n).toBe(rows.length);
    for (const analysis of [willingness, enps]) {
      expect(analysis.n).toBeGreaterThanOrEqual(analysis.minimumRespondents);
      expect(['drivers', 'no-clear-driver']).toContain(analysis.grade);
      expect(analysis.rSquared).toBeGreaterThan(0);
      expect(analysis.verdict).not.toMatch(/\bcauses\b/);
    }
  });
});
