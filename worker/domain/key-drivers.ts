/**
 * Key drivers: how much of an outcome's variance across units each predictor accounts for, by
 * Johnson's relative weights (Johnson 2000, "A heuristic method for estimating the relative weight
 * of predictor variables in multiple regression", Multivariate Behavioral Research 35(1), 1-19).
 * The predictors are replaced by their closest orthogonal counterparts Z, whose correlations with
 * them are Λ* = V·Λ^(1/2)·Vᵀ from the eigen-decomposition R = V·Λ·Vᵀ of their correlation matrix;
 * the outcome is regressed on Z (β = Λ*⁻¹·r_xy) and each predictor's raw weight is
 * Σ_k Λ*_jk²·β_k². The raw weights sum to R² and are never negative.
 *
 * Pure: plain arrays in, plain numbers out; the bootstrap is seeded, so the same data always gives
 * the same intervals.
 */
import { mulberry32, type Random } from '../../db/pool/random.ts';
import type { ExternalMeasures, InternalMeasures } from './measures.ts';
import { type Interval, percentile } from './statistics.ts';

/** The internal root causes, leadership support and the know/can/want triad. */
export const KEY_DRIVER_PREDICTORS = [
  'commitments',
  'internalCulture',
  'empowerment',
  'recognition',
  'leadershipSupport',
  'knowledge',
  'ability',
  'willingness',
] as const;
export type KeyDriverPredictor = (typeof KEY_DRIVER_PREDICTORS)[number];

const LABELS: Record<string, string> = {
  internalCulture: 'internal culture',
  leadershipSupport: 'leadership support',
};
const label = (name: string) => LABELS[name] ?? name;

/**
 * Fewer units than this say nothing: max(20, 5 per predictor), so 40 for all eight predictors. A
 * rule of thumb for a stable correlation matrix and bootstrap, not a power analysis; below it the
 * verdict is "too few units to say" and no driver is named.
 */
export function minimumUnits(predictors: number): number {
  return Math.max(20, 5 * predictors);
}
export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 17;

export interface Eigen {
  /** Eigenvalues, descending. */
  values: number[];
  /** vectors[i][k]: component i of the eigenvector of values[k] (unit length). */
  vectors: number[][];
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: each rotation zeroes one
 * off-diagonal pair; sweeps stop once the off-diagonal mass is negligible. Exact enough and simple
 * for the ≤ 10×10 correlation matrices here.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): Eigen {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v = a.map((_, i) => a.map((_, j): number => (i === j ? 1 : 0)));
  const total = a.flat().reduce((s, x) => s + x * x, 0);
  // Jacobi converges quadratically: a handful of sweeps reach rounding level for these sizes.
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        // The rotation angle that zeroes a[p][q], in the numerically stable form (Golub & Van Loan 8.5.2).
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = a.map((_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  return { values: order.map((i) => a[i]![i]!), vectors: v.map((row) => order.map((i) => row[i]!)) };
}

/** Pearson correlations of columns (each an array over units); null when a column does not vary. */
export function correlationMatrix(columns: readonly (readonly number[])[]): number[][] | null {
  const m = columns.length;
  const n = columns[0]?.length ?? 0;
  const centred: Float64Array[] = [];
  const norms: number[] = [];
  for (const column of columns) {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += column[k]!;
    mean /= n;
    const c = new Float64Array(n);
    let ss = 0;
    let varies = false;
    for (let k = 0; k < n; k++) {
      c[k] = column[k]! - mean;
      ss += c[k]! * c[k]!;
      if (column[k] !== column[0]) varies = true;
    }
    // Decided on the values: the mean of equal doubles can be off by an ulp and leave ss > 0.
    if (!varies || ss === 0) return null;
    centred.push(c);
    norms.push(Math.sqrt(ss));
  }
  const r = Array.from({ length: m }, () => new Array<number>(m).fill(1));
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const ci = centred[i]!;
      const cj = centred[j]!;
      let s = 0;
      for (let k = 0; k < n; k++) s += ci[k]! * cj[k]!;
      r[i]![j] = r[j]![i] = Math.max(-1, Math.min(1, s / (norms[i]! * norms[j]!)));
    }
  }
  return r;
}

export interface RelativeWeights {
  rSquared: number;
  /** Each predictor's share of R², in the predictors' order; they sum to rSquared. */
  raw: number[];
  /** raw / R² (0-1); all 0 when R² is 0. */
  rescaled: number[];
}

/** What relative weights need of the predictors alone, so one decomposition serves every outcome. */
interface Decomposition {
  vectors: number[][];
  root: number[];
  /** Λ*_jk² with Λ* = V·√Λ·Vᵀ: the predictors' squared correlations with their orthogonal counterparts. */
  lambdaStarSquared: number[][];
}

/** Null when the predictors are so collinear that their correlation matrix is (numerically) singular. */
function decompose(rxx: number[][]): Decomposition | null {
  const p = rxx.length;
  const { values, vectors } = symmetricEigen(rxx);
  if (values[p - 1]! < 1e-10 * p) return null;
  const root = values.map(Math.sqrt);
  const lambdaStarSquared = vectors.map((vj) =>
    vectors.map((vk) => {
      let lambdaStar = 0;
      for (let m = 0; m < p; m++) lambdaStar += vj[m]! * root[m]! * vk[m]!;
      return lambdaStar * lambdaStar;
    }),
  );
  return { vectors, root, lambdaStarSquared };
}

/** Raw weights Σ_k Λ*_jk²·β_k² with β = V·Λ^(-1/2)·Vᵀ·r_xy (the outcome regressed on the orthogonal counterparts). */
function weightsOf({ vectors, root, lambdaStarSquared }: Decomposition, rxy: readonly number[]): { rSquared: number; raw: number[] } {
  const p = rxy.length;
  const projected = root.map((rootK, k) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += vectors[j]![k]! * rxy[j]!;
    return s / rootK;
  });
  const betaSquared = vectors.map((vi) => vi.reduce((s, vik, k) => s + vik * projected[k]!, 0) ** 2);
  const raw = lambdaStarSquared.map((row) => row.reduce((s, x, k) => s + x * betaSquared[k]!, 0));
  return { rSquared: betaSquared.reduce((s, b) => s + b, 0), raw };
}

/** The top-left size×size block of a correlation matrix, and the first `rows` entries of one of its columns. */
const square = (r: number[][], size: number) => r.slice(0, size).map((row) => row.slice(0, size));
const column = (r: number[][], rows: number, index: number) => r.slice(0, rows).map((row) => row[index]!);

/**
 * Johnson's relative weights of `predictors` (columns over units) for `outcome`; null when they
 * cannot be computed: fewer units than predictors + 2, a column without variation, or predictors so
 * collinear that their correlation matrix is singular.
 */
export function relativeWeights(predictors: readonly (readonly number[])[], outcome: readonly number[]): RelativeWeights | null {
  const p = predictors.length;
  if (p === 0 || outcome.length < p + 2) return null;
  const r = correlationMatrix([...predictors, outcome]);
  const decomposition = r && decompose(square(r, p));
  if (!r || !decomposition) return null;
  const { rSquared, raw } = weightsOf(decomposition, column(r, p, p));
  return { rSquared, raw, rescaled: raw.map((w) => (rSquared > 0 ? w / rSquared : 0)) };
}

export interface KeyDriver {
  name: string;
  rawWeight: number;
  /** Share of the explained variance (0-1). */
  share: number;
  /** Bootstrap 95% percentile interval of the raw weight. */
  interval: Interval;
  /**
   * Bootstrap 95% interval of (this raw weight − that of a random variable added to the model):
   * raw weights are never negative, so their own interval never contains zero; the test of
   * Tonidandel, LeBreton & Johnson (2009, Psychological Methods 14(4), 387-399) compares each
   * weight with a predictor known to be noise instead.
   */
  versusRandom: Interval;
  /** versusRandom excludes zero: the only drivers a verdict may name. */
  associated: boolean;
}

/** What is analysed: units (their means) or respondents (their own answers). */
export type KeyDriverSubject = 'units' | 'respondents';
export type KeyDriverGrade = `too-few-${KeyDriverSubject}` | 'no-clear-driver' | 'drivers';

export interface KeyDriverAnalysis {
  outcome: string;
  /** Units or respondents analysed. */
  n: number;
  /** Below this n nothing is said. */
  minimum: number;
  /** Null when n was too small or the weights could not be computed. */
  rSquared: number | null;
  rSquaredInterval: Interval | null;
  /** Bootstrap resamples that could be analysed (one where a column is constant cannot); fewer than half and nothing is said. */
  resamples: number;
  /** Descending by raw weight; empty below the minimum. */
  drivers: KeyDriver[];
  grade: KeyDriverGrade;
  verdict: string;
}

export interface KeyDriverInput {
  predictors: readonly string[];
  /** One row per unit (or respondent): the predictors' values, in `predictors`' order. */
  rows: readonly (readonly number[])[];
  /** Each outcome's name, as the verdict says it ("units' CSAT"), and its value per row, in `rows`' order. */
  outcomes: readonly { name: string; values: readonly number[] }[];
  /** What a row is; units by default. */
  subject?: KeyDriverSubject;
  /** Fewer rows than this say nothing; `minimumUnits(predictors)` by default. */
  minimum?: number;
}

const cannotSay = (n: number, subject: KeyDriverSubject) =>
  `Cannot say: across ${n} ${subject} a driver or the outcome barely varies, or the drivers move together too closely to separate.`;
const tooFew = (n: number, subject: KeyDriverSubject, minimum: number, p: number) =>
  subject === 'units'
    ? `Too few units to say: ${n} units have enough answers on both sides; at least ${minimum} are needed for ${p} drivers.`
    : `Too few respondents to say: ${n} respondents answered; at least ${minimum} are needed for ${p} drivers.`;

/**
 * Relative weights with seeded bootstrap intervals and a verdict graded by the evidence, per
 * outcome: below the minimum number of units "too few units to say"; otherwise predictors are named
 * only where their weight is reliably above that of noise, and only as "associated with" — unit-level
 * survey data cannot show what causes what. The outcomes share each resample (and its
 * decompositions), which halves the work of two outcomes.
 */
export function keyDrivers(input: KeyDriverInput, options: { resamples?: number; seed?: number } = {}): KeyDriverAnalysis[] {
  const { resamples = DEFAULT_RESAMPLES, seed = DEFAULT_SEED } = options;
  const p = input.predictors.length;
  const n = input.rows.length;
  const { subject = 'units', minimum = minimumUnits(p) } = input;
  const predictorColumns = input.predictors.map((_, j) => input.rows.map((row) => row[j]!));
  const estimates = input.outcomes.map(({ values }) => (n >= minimum ? relativeWeights(predictorColumns, values) : null));
  const analysed = input.outcomes.flatMap((outcome, o) => (estimates[o] ? [o] : []));

  const random: Random = mulberry32(seed);
  const noise = input.rows.map(() => random.normal());
  const weights = input.outcomes.map(() => input.predictors.map((): number[] => []));
  const differences = input.outcomes.map(() => input.predictors.map((): number[] => []));
  const rSquares = input.outcomes.map((): number[] => []);
  for (let b = 0; b < resamples && analysed.length > 0; b++) {
    const sample = input.rows.map(() => random.int(0, n - 1));
    const pick = (values: readonly number[]) => sample.map((i) => values[i]!);
    // Predictors, then the noise variable, then each outcome analysed.
    const r = correlationMatrix([...predictorColumns.map(pick), pick(noise), ...analysed.map((o) => pick(input.outcomes[o]!.values))]);
    const plain = r && decompose(square(r, p));
    const withNoise = r && decompose(square(r, p + 1));
    if (!r || !plain || !withNoise) continue;
    analysed.forEach((o, index) => {
      const outcomeAt = p + 1 + index;
      const { rSquared, raw } = weightsOf(plain, column(r, p, outcomeAt));
      const noisy = weightsOf(withNoise, column(r, p + 1, outcomeAt)).raw;
      rSquares[o]!.push(rSquared);
      raw.forEach((w, j) => {
        weights[o]![j]!.push(w);
        differences[o]![j]!.push(noisy[j]! - noisy[p]!);
      });
    });
  }

  return input.outcomes.map(({ name: outcome }, o) => {
    const estimate = estimates[o];
    const empty = { outcome, n, minimum, rSquared: null, rSquaredInterval: null, resamples: 0, drivers: [], grade: `too-few-${subject}` as const };
    if (n < minimum) return { ...empty, verdict: tooFew(n, subject, minimum, p) };
    if (!estimate || rSquares[o]!.length < resamples / 2) return { ...empty, verdict: cannotSay(n, subject) };
    const drivers = input.predictors
      .map((name, j): KeyDriver => {
        const versusRandom = interval95(differences[o]![j]!);
        return { name, rawWeight: estimate.raw[j]!, share: estimate.rescaled[j]!, interval: interval95(weights[o]![j]!), versusRandom, associated: versusRandom.low > 0 };
      })
      .sort((a, b) => b.rawWeight - a.rawWeight);
    const analysis = { ...empty, rSquared: estimate.rSquared, rSquaredInterval: interval95(rSquares[o]!), resamples: rSquares[o]!.length, drivers };
    const named = drivers.filter((d) => d.associated);
    const r2 = `R² = ${estimate.rSquared.toFixed(2)}`;
    if (named.length === 0) {
      return { ...analysis, grade: 'no-clear-driver', verdict: `Across ${n} ${subject} no driver of ${outcome} stands out from chance (${r2}): none is named.` };
    }
    const share = Math.round(100 * named.reduce((s, d) => s + d.share, 0));
    const names = named.map((d) => label(d.name));
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    return {
      ...analysis,
      grade: 'drivers',
      verdict: `Across ${n} ${subject}, ${outcome} is associated with ${list} (together ${share}% of the explained variance, ${r2}); an association, not proof of cause.`,
    };
  });
}

function interval95(values: readonly number[]): Interval {
  const sorted = [...values].sort((a, b) => a - b);
  return { low: percentile(sorted, 0.025)!, high: percentile(sorted, 0.975)! };
}

/** A unit's staff and client figures, as diagnostics' linkedUnits gives them. */
export interface LinkedUnit {
  staff: InternalMeasures;
  clients: ExternalMeasures;
}

const PREDICTOR_VALUE: Record<KeyDriverPredictor, (staff: InternalMeasures) => number> = {
  commitments: (s) => s.rootCauses.commitments!.mean,
  internalCulture: (s) => s.rootCauses.internalCulture!.mean,
  empowerment: (s) => s.rootCauses.empowerment!.mean,
  recognition: (s) => s.rootCauses.recognition!.mean,
  leadershipSupport: (s) => s.rootCauses.leadershipSupport!.mean,
  knowledge: (s) => s.knowledge!.mean,
  ability: (s) => s.ability!.mean,
  willingness: (s) => s.willingness!.mean,
};

/** An analysis with its minimum named as the API names it (`minimumUnits`, `minimumRespondents`). */
export type NamedKeyDriverAnalysis<K extends string> = Omit<KeyDriverAnalysis, 'minimum'> & Record<K, number>;
export function withMinimumAs<K extends string>(key: K, { minimum, ...analysis }: KeyDriverAnalysis): NamedKeyDriverAnalysis<K> {
  return { ...analysis, [key]: minimum } as NamedKeyDriverAnalysis<K>;
}
type UnitKeyDriverAnalysis = NamedKeyDriverAnalysis<'minimumUnits'>;

/** What accounts for units' CSAT and overall rating across the counter: each unit's staff means as predictors. */
export function unitKeyDrivers(units: readonly LinkedUnit[], options?: { resamples?: number; seed?: number }): { csat: UnitKeyDriverAnalysis; overall: UnitKeyDriverAnalysis } {
  const rows = units.map((unit) => KEY_DRIVER_PREDICTORS.map((name) => PREDICTOR_VALUE[name](unit.staff)));
  const [csat, overall] = keyDrivers(
    {
      predictors: KEY_DRIVER_PREDICTORS,
      rows,
      outcomes: [
        { name: "units' CSAT", values: units.map((unit) => unit.clients.csat!.share) },
        { name: "units' overall rating", values: units.map((unit) => unit.clients.overall!.mean) },
      ],
    },
    options,
  );
  return { csat: withMinimumAs('minimumUnits', csat!), overall: withMinimumAs('minimumUnits', overall!) };
}
