/**
 * The measure registry: one declarative entry per measure, from which everything else derives — the
 * rollup columns and their upsert (db/schema.ts, worker/db/rollups.ts), the ratings' answer bounds
 * (request validation and SQL checks), the `measure` enum (targets, benchmarks, the OpenAPI document),
 * target ranges and direction, benchmark eligibility, and the scorecard's figures. A new measure is an
 * entry here and, if it reads a new answer, that column in its ratings table (and its generated migration).
 *
 * Pure data and pure functions: nothing here imports from the database layer (db/schema.ts imports this).
 */

export type Side = 'external' | 'internal';
export interface Scale {
  min: number;
  max: number;
}

/** A condition on one answer column of a rating (a property of its drizzle table). */
export interface Condition {
  column: string;
  atLeast?: number;
  atMost?: number;
  is?: string | boolean;
}

/** What one rollup column adds up over a set of ratings. */
export type Aggregate =
  /** How many ratings. */
  | { count: '*' }
  /** How many ratings answered `column`. */
  | { count: string }
  /** The sum of `columns` (added per rating), or of its square. */
  | { sum: readonly string[]; squared?: boolean }
  /** How many ratings meet every condition. */
  | { countWhere: readonly Condition[] };

/** How a measure is computed from its rollup columns; each names the columns it needs. */
export type MeasureKind =
  /** Mean of an answer with n and a standard error (`${column}N` when optional, `${column}Sum`, `${column}SumSq`). */
  | { type: 'mean'; column: string; optional: boolean }
  /** Mean of several answers averaged per rating (`${total}Sum`, `${total}SumSq` of their per-rating sum). */
  | { type: 'meanOfSum'; columns: readonly string[]; total: string }
  /** Share of all ratings meeting `where` (Wilson interval). */
  | { type: 'share'; count: string; where: readonly Condition[] }
  /** Share, among the ratings meeting `among.where`, of those also meeting `hits.where`. */
  | { type: 'shareAmong'; among: { name: string; where: readonly Condition[] }; hits: { name: string; where: readonly Condition[] } }
  /** % answers ≥ 9 minus % answers ≤ 6 of a 0-10 answer, −100..100. */
  | { type: 'net'; column: string; n: string; promoters: string; detractors: string };

export interface MeasureEntry {
  name: string;
  side: Side;
  /** A human title, for dashboards and charts. */
  title: string;
  kind: MeasureKind;
  /** The measure's own unit: targets are checked against it, benchmark noise scales with it. */
  scale: Scale;
  /** Whether a higher or a lower value is better (targets are met at or above, or at or below). */
  direction: 'higher' | 'lower';
  /**
   * The answer column this measure reads (a mean's or a net score's `column`), with its bounds when
   * they differ from `scale`: the API validates it and the table checks it with these bounds.
   */
  answer?: { description: string; example: number; bounds?: Scale };
  /** A tenant counts in the measure's benchmark only with this many of the answers it is made of in the period. */
  minimum: { answers: number; of: string };
  /**
   * A share measured on few answers is benchmarked on its posterior mean under this Beta prior, not
   * its raw value: (hits + share × answers) / (n + answers), as if the tenant had `answers` more
   * answers at the prior's share. So 10 of 10 does not rank as a certain 100%.
   */
  benchmarkPrior?: { share: number; answers: number };
  /** Shown in the scorecard, with its target, gap and trend. */
  scorecard: boolean;
  /** What the scorecard's figure says, if more than its title. */
  description?: string;
}

/**
 * A tenant counts in a benchmark measure only with at least this many of the answers the measure is
 * made of in the period: external ratings (of that indicator, or with a `recommend`), internal ones,
 * or, for the attitude blame share, dissatisfied ratings (30 ratings with 2 dissatisfied put 137 of
 * 231 organizations at 100% in one month).
 */
export const BENCHMARK_MIN_EXTERNAL = 30;
export const BENCHMARK_MIN_INTERNAL = 10;
export const BENCHMARK_MIN_DISSATISFIED = 10;

const ONE_TO_FIVE = { min: 1, max: 5 } as const;
const SHARE = { min: 0, max: 1 } as const;
const NET = { min: -100, max: 100 } as const;
const ZERO_TO_TEN = { min: 0, max: 10 } as const;
const SATISFIED = [{ column: 'overall', atLeast: 4 }] as const;
const DISSATISFIED = [{ column: 'overall', atMost: 2 }] as const;

/** The registry, in the order of the `measure` enum (a new measure goes last: Postgres appends enum values). */
export const MEASURE_REGISTRY = [
  {
    name: 'quality',
    side: 'external',
    title: 'Quality',
    kind: { type: 'mean', column: 'quality', optional: true },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Quality of the service: 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings scoring quality' },
    scorecard: true,
  },
  {
    name: 'quantity',
    side: 'external',
    title: 'Quantity',
    kind: { type: 'mean', column: 'quantity', optional: true },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Quantity (completeness) of the service: 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings scoring quantity' },
    scorecard: true,
  },
  {
    name: 'opportunity',
    side: 'external',
    title: 'Timeliness',
    kind: { type: 'mean', column: 'opportunity', optional: true },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Opportunity (timeliness) of the service: 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings scoring opportunity' },
    scorecard: true,
  },
  {
    name: 'cost',
    side: 'external',
    title: 'Cost',
    kind: { type: 'mean', column: 'cost', optional: true },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Cost (price, effort) of the service: 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings scoring cost' },
    scorecard: true,
  },
  {
    name: 'overall',
    side: 'external',
    title: 'Overall satisfaction',
    kind: { type: 'mean', column: 'overall', optional: false },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Overall satisfaction, 1-5 (4-5 count as satisfied).', example: 4 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings' },
    scorecard: true,
  },
  {
    name: 'csat',
    side: 'external',
    title: 'Customer satisfaction (CSAT)',
    kind: { type: 'share', count: 'satisfied', where: SATISFIED },
    scale: SHARE,
    direction: 'higher',
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings' },
    scorecard: true,
    description: 'Share of overall ≥ 4.',
  },
  {
    name: 'nps',
    side: 'external',
    title: 'Net Promoter Score',
    kind: { type: 'net', column: 'recommend', n: 'recommendN', promoters: 'promoters', detractors: 'detractors' },
    scale: NET,
    direction: 'higher',
    answer: { description: 'Would recommend, 0-10 (for NPS).', example: 9, bounds: ZERO_TO_TEN },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings with recommend' },
    scorecard: true,
  },
  {
    name: 'enps',
    side: 'internal',
    title: 'Employee Net Promoter Score',
    kind: { type: 'net', column: 'recommendEmployer', n: 'recommendEmployerN', promoters: 'employerPromoters', detractors: 'employerDetractors' },
    scale: NET,
    direction: 'higher',
    answer: { description: 'Would recommend the organization as an employer, 0-10 (for eNPS).', example: 8, bounds: ZERO_TO_TEN },
    minimum: { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings with recommendEmployer' },
    scorecard: true,
  },
  {
    name: 'supportIndex',
    side: 'internal',
    title: 'Internal support',
    kind: { type: 'meanOfSum', columns: ['commitments', 'internalCulture', 'empowerment', 'recognition', 'leadershipSupport'], total: 'supportTotal' },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    minimum: { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings' },
    scorecard: true,
    description: 'Mean of the five support scores, 1-5.',
  },
  {
    name: 'willingness',
    side: 'internal',
    title: 'Staff willingness',
    kind: { type: 'mean', column: 'willingness', optional: false },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Self-assessed: I want to serve. 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings' },
    scorecard: true,
  },
  {
    name: 'attitudeBlameShare',
    side: 'external',
    title: 'Complaints blaming attitude',
    kind: {
      type: 'shareAmong',
      among: { name: 'dissatisfied', where: DISSATISFIED },
      hits: { name: 'dissatisfiedBlamingAttitude', where: [...DISSATISFIED, { column: 'blamesAttitude', is: true }] },
    },
    scale: SHARE,
    direction: 'lower',
    minimum: { answers: BENCHMARK_MIN_DISSATISFIED, of: 'dissatisfied external ratings' },
    // The seed study: over 90% of dissatisfied customers blame attitude. On the reference pool a month's
    // spread between organizations is all sampling noise (at 10-30 dissatisfied ratings a month; README,
    // "Benchmarks that mean what they say"), and raw shares put 33 of 134 organizations at 100%.
    benchmarkPrior: { share: 0.9, answers: BENCHMARK_MIN_DISSATISFIED },
    scorecard: false,
  },
  {
    name: 'leadershipSupport',
    side: 'internal',
    title: 'Support from leaders',
    kind: { type: 'mean', column: 'leadershipSupport', optional: false },
    scale: ONE_TO_FIVE,
    direction: 'higher',
    answer: { description: 'Support from your leaders: 1-5.', example: 4 },
    minimum: { answers: BENCHMARK_MIN_INTERNAL, of: 'internal ratings' },
    scorecard: true,
    description: "Support from the unit's leaders, 1-5: part of the index and a figure of its own.",
  },
  {
    name: 'effort',
    side: 'external',
    title: 'Customer effort (CES)',
    kind: { type: 'mean', column: 'effort', optional: true },
    scale: { min: 1, max: 7 },
    direction: 'lower',
    answer: { description: 'Customer Effort Score (CES): how much effort the client had to make, 1 (very little) to 7 (a great deal).', example: 2 },
    minimum: { answers: BENCHMARK_MIN_EXTERNAL, of: 'external ratings scoring effort' },
    scorecard: true,
    description: 'Customer Effort Score, 1-7: lower is better.',
  },
] as const satisfies readonly MeasureEntry[];

type Entry = (typeof MEASURE_REGISTRY)[number];
export type RegistryEntry = Entry;
export type Measure = Entry['name'];
/** What is scored, targeted and benchmarked (DOMAIN.md, "Measures"): the `measure` enum. */
export const MEASURES = MEASURE_REGISTRY.map((entry) => entry.name) as unknown as readonly [Measure, ...Measure[]];
export type MeasureOf<S extends Side> = Extract<Entry, { side: S }>['name'];

const ENTRIES = new Map<string, MeasureEntry>(MEASURE_REGISTRY.map((entry) => [entry.name, entry]));
export const measureEntry = (measure: Measure): MeasureEntry => ENTRIES.get(measure)!;
export const measuresOf = <S extends Side>(side: S) => MEASURE_REGISTRY.filter((entry) => entry.side === side).map((entry) => entry.name) as MeasureOf<S>[];

/** Each measure's own scale: means of 1-5 answers, shares 0-1, net scores −100..100. */
/** The measures a side's scorecard shows, in registry order. */
export const scorecardMeasures = <S extends Side>(side: S) =>
  MEASURE_REGISTRY.filter((entry) => entry.side === side && entry.scorecard).map((entry) => entry.name) as Extract<Entry, { side: S; scorecard: true }>['name'][];
/** Means carry n and a standard error; shares and net scores an interval. */
export const hasStandardError = (measure: Measure) => ['mean', 'meanOfSum'].includes(measureEntry(measure).kind.type);

export const MEASURE_RANGES = Object.fromEntries(MEASURE_REGISTRY.map((entry) => [entry.name, entry.scale])) as Record<Measure, Scale>;

/** The six components of a service, any of which can be the real cause of a bad experience. */
export const SERVICE_COMPONENTS = ['product', 'procedures', 'facilities', 'systems-equipment', 'information', 'people'] as const;
export type ServiceComponent = (typeof SERVICE_COMPONENTS)[number];

/** 1-5 answers that no measure of the registry reads on its own (root causes, the triad): scored, bounded, rolled up. */
export const OTHER_SCORES = {
  external: {},
  internal: {
    commitments: 'Promises kept, training and organizational support received: 1-5.',
    internalCulture: 'How well other units serve you as their internal customer: 1-5.',
    empowerment: 'Authority to decide: 1-5.',
    recognition: 'Reward for good service: 1-5.',
    knowledge: 'Self-assessed: I know how to serve. 1-5.',
    ability: 'Self-assessed: I have the means to serve. 1-5.',
  },
} as const;

/** The row count every rollup row carries: the n of required answers, shares and suppression. */
export const BASE_COUNT = { external: 'ratings', internal: 'respondents' } as const;

const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
/** The rollup column counting ratings that blame `component`. */
export const blamedColumn = <C extends ServiceComponent>(component: C) => `blamed${capitalized(component)}` as BlamedName<C>;
type Capitalized<S extends string> = S extends `${infer A}-${infer B}` ? `${Capitalize<A>}${Capitalized<Capitalize<B>>}` : Capitalize<S>;
type BlamedName<C extends string> = `blamed${Capitalized<C>}`;
type Moments<C extends string> = `${C}Sum` | `${C}SumSq`;

const moments = <C extends string>(name: C, columns: readonly string[]) =>
  ({ [`${name}Sum`]: { sum: columns }, [`${name}SumSq`]: { sum: columns, squared: true } }) as Record<Moments<C>, Aggregate>;

/** Rollup columns no measure owns: diagnostics read them (blame by component, the triad, root causes). */
const OTHER_AGGREGATES = {
  external: {
    ratings: { count: '*' },
    blamingAttitude: { countWhere: [{ column: 'blamesAttitude', is: true }] },
    ...(Object.fromEntries(
      SERVICE_COMPONENTS.map((c): [string, Aggregate] => [blamedColumn(c), { countWhere: [{ column: 'blamedComponent', is: c }] }]),
    ) as Record<BlamedName<ServiceComponent>, Aggregate>),
  },
  internal: {
    respondents: { count: '*' },
    ...(Object.assign({}, ...Object.keys(OTHER_SCORES.internal).map((column) => moments(column, [column]))) as Record<
      Moments<keyof typeof OTHER_SCORES.internal>,
      Aggregate
    >),
    /** willingness ≥ 4: the attitude paradox's favourable staff. */
    willingnessFavourable: { countWhere: [{ column: 'willingness', atLeast: 4 }] },
  },
} satisfies Record<Side, Record<string, Aggregate>>;

type AggregatesOfKind<K> = K extends { type: 'mean'; column: infer C extends string; optional: true }
  ? `${C}N` | Moments<C>
  : K extends { type: 'mean'; column: infer C extends string }
    ? Moments<C>
    : K extends { type: 'meanOfSum'; total: infer T extends string }
      ? Moments<T>
      : K extends { type: 'share'; count: infer N extends string }
        ? N
        : K extends { type: 'shareAmong'; among: { name: infer A extends string }; hits: { name: infer H extends string } }
          ? A | H
          : K extends { type: 'net'; n: infer N extends string; promoters: infer P extends string; detractors: infer D extends string }
            ? N | P | D
            : never;

/** The rollup columns one measure needs. */
function aggregatesOf(kind: MeasureKind): Record<string, Aggregate> {
  switch (kind.type) {
    case 'mean':
      return { ...(kind.optional ? { [`${kind.column}N`]: { count: kind.column } } : {}), ...moments(kind.column, [kind.column]) };
    case 'meanOfSum':
      return moments(kind.total, kind.columns);
    case 'share':
      return { [kind.count]: { countWhere: kind.where } };
    case 'shareAmong':
      return { [kind.among.name]: { countWhere: kind.among.where }, [kind.hits.name]: { countWhere: kind.hits.where } };
    case 'net':
      return {
        [kind.n]: { count: kind.column },
        [kind.promoters]: { countWhere: [{ column: kind.column, atLeast: 9 }] },
        [kind.detractors]: { countWhere: [{ column: kind.column, atMost: 6 }] },
      };
  }
}

/** Every rollup column of a side and what it adds up: the other aggregates, then each measure's. */
export const ROLLUP_AGGREGATES = Object.fromEntries(
  (['external', 'internal'] as const).map((side) => [
    side,
    Object.assign({}, OTHER_AGGREGATES[side], ...MEASURE_REGISTRY.filter((entry) => entry.side === side).map((entry) => aggregatesOf(entry.kind))),
  ]),
) as { [S in Side]: Record<keyof (typeof OTHER_AGGREGATES)[S] | AggregatesOfKind<Extract<Entry, { side: S }>['kind']>, Aggregate> };

/** Every aggregate column of `external_rollups`, summed. */
export type ExternalTotals = Record<keyof (typeof ROLLUP_AGGREGATES)['external'], number>;
/** Every aggregate column of `internal_rollups`, summed. */
export type InternalTotals = Record<keyof (typeof ROLLUP_AGGREGATES)['internal'], number>;
export type TotalsOf<S extends Side> = S extends 'external' ? ExternalTotals : InternalTotals;

const zeros = <T>(aggregates: object) => Object.fromEntries(Object.keys(aggregates).map((key) => [key, 0])) as T;
export const EMPTY_EXTERNAL_TOTALS = zeros<ExternalTotals>(ROLLUP_AGGREGATES.external);
export const EMPTY_INTERNAL_TOTALS = zeros<InternalTotals>(ROLLUP_AGGREGATES.internal);

/** Adds up totals (rows of the same kind). */
export function sumTotals<T extends Record<string, number>>(rows: readonly T[], empty: T): T {
  const total: Record<string, number> = { ...empty };
  for (const row of rows) for (const key of Object.keys(empty)) total[key]! += Number(row[key] ?? 0);
  return total as T;
}

type ColumnOfKind<K> = K extends { column: infer C extends string } ? C : never;
/** The answer columns (table properties) of a side's ratings that carry bounds. */
export type AnswerColumnOf<S extends Side> = ColumnOfKind<Extract<Entry, { side: S; answer: object }>['kind']> | (keyof (typeof OTHER_SCORES)[S] & string);

/** An answer column of a ratings table and the bounds both its validation and its SQL check use. */
export interface AnswerColumn<S extends Side = Side> {
  column: AnswerColumnOf<S>;
  bounds: Scale;
  direction: 'higher' | 'lower';
  description: string;
  example: number;
}

/** The bounded answer columns of a side's ratings: those the registry's measures read, then the other scores. */
export function answerColumns<S extends Side>(side: S): AnswerColumn<S>[] {
  const measured = (MEASURE_REGISTRY as readonly MeasureEntry[]).flatMap((entry) =>
    entry.side === side && entry.answer && 'column' in entry.kind
      ? [
          {
            column: entry.kind.column,
            bounds: entry.answer.bounds ?? entry.scale,
            direction: entry.direction,
            description: entry.answer.description,
            example: entry.answer.example,
          },
        ]
      : [],
  );
  const others = Object.entries(OTHER_SCORES[side]).map(([column, description]) => ({
    column,
    bounds: ONE_TO_FIVE,
    direction: 'higher' as const,
    description: description as string,
    example: 4,
  }));
  return [...measured, ...others] as AnswerColumn<S>[];
}
