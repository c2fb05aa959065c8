import { z } from '@hono/zod-openapi';
import { WITHHELD_REASONS } from '../../domain/disclosure.ts';
import { MEASURE_REGISTRY, type RegistryEntry, type Side } from '../../domain/measure-registry.ts';
import { ROOT_CAUSES } from '../../domain/measures.ts';
import { INTERVALS, MAX_PERIODS } from './periods.ts';
import { integer, isoDate, uuid } from '../../http/schemas.ts';
import { MEASURES } from '../../domain/measure-registry.ts';
import { BaselineSchema } from '../targets/schemas.ts';

const date = (description: string) => isoDate().openapi({ description, example: '2026-01-01' });

export const ScorecardQuerySchema = z.object({
  from: date('First day (UTC) of the first period, moved back to the start of its week, month or quarter.').optional(),
  to: date(
    'Day after the last period (exclusive), moved forward to the end of its week, month or quarter: periods are always whole, ' +
      'and each period in the answer states its own `from` and `to`. Default: the start of the current week, month or quarter. ' +
      'With `rolling12`: the 12 whole months before the start of its month.',
  ).optional(),
  interval: z.enum(INTERVALS).default('month').openapi({
    description: `Period length; at most ${MAX_PERIODS} periods. \`rolling12\`: the 12 complete months before \`to\` as one period (no \`from\`).`,
    example: 'month',
  }),
  unitId: uuid().optional().openapi({ description: 'Only this unit and the units below it; default: the whole tenant.' }),
  split: z.enum(['customerKind', 'tenureBand', 'role']).optional().openapi({
    description:
      'One split at most: `customerKind` also gives the external figures per customer kind; `tenureBand` or `role` the ' +
      'internal figures per tenure band or role, each decided by the disclosure rule like any other cell.',
  }),
});

const value = z.number().nullable().openapi({ description: 'null when there is nothing to measure (n = 0).' });
const compared = {
  target: z.number().nullable().openapi({ description: "The tenant's target for this measure, if any (PUT /v1/targets)." }),
  gap: z.number().nullable().openapi({ description: 'value − target.' }),
  trend: z.number().nullable().openapi({ description: 'value − the previous period’s value; null when either is missing or suppressed.' }),
  change: z
    .object({
      interval: z.object({ low: z.number(), high: z.number() }).openapi({ description: '95% interval of the trend.' }),
      significant: z.boolean().openapi({ description: 'p < 0.05, two-sided: highlight this movement; otherwise it is within what chance gives.' }),
      test: z.enum(['welch-t', 'two-proportion-z', 'net-score-z']).openapi({ description: "Welch's t for means, the two-proportion z for shares, a multinomial z for net scores." }),
      pValue: z.number(),
    })
    .nullable()
    .openapi('FigureChange', { description: 'Whether `trend` is a real change; null when `trend` is, or a period has too few answers to say.' }),
};
const interval = z.object({ low: z.number(), high: z.number() }).nullable().openapi('ConfidenceInterval', { description: '95%.' });

export const MeanFigureSchema = z
  .object({ value, n: integer(), standardError: z.number().nullable().openapi({ description: 'null when n < 2.' }), ...compared })
  .openapi('MeanFigure', { example: { value: 4.2, n: 120, standardError: 0.08, target: 4.5, gap: -0.3, trend: 0.1, change: { interval: { low: -0.12, high: 0.32 }, significant: false, test: 'welch-t', pValue: 0.37 } } });
export const ShareFigureSchema = z
  .object({ value, n: integer(), interval: interval.openapi({ description: 'Wilson 95% interval.' }), ...compared })
  .openapi('ShareFigure', { example: { value: 0.8, n: 120, interval: { low: 0.72, high: 0.86 }, target: 0.85, gap: -0.05, trend: 0.02, change: { interval: { low: -0.08, high: 0.12 }, significant: false, test: 'two-proportion-z', pValue: 0.7 } } });
export const NetScoreFigureSchema = z
  .object({
    value: value.openapi({ description: '% promoters − % detractors, −100..100.' }),
    n: integer(),
    interval: interval.openapi({ description: '95% interval of a difference of two shares of one sample (not Wilson).' }),
    ...compared,
  })
  .openapi('NetScoreFigure', { example: { value: 32, n: 100, interval: { low: 18.5, high: 45.5 }, target: 40, gap: -8, trend: null, change: null } });

export const SuppressedSchema = z
  .object({
    suppressed: z.literal(true),
    reason: z.enum(WITHHELD_REASONS).openapi({
      description:
        '`too-few-respondents`: the group has 1-4 respondents. `complementary`: hidden so that no combination of published ' +
        'figures (other units, periods, splits, endpoints, earlier unit trees) can isolate fewer than 5 respondents. ' +
        '`period-open`: the period has not ended; internal figures are published once it has, and then never change. ' +
        '`not-published`: internal figures are not published per week (weeks straddle months).',
    }),
  })
  .openapi('Suppressed', { description: 'An internal figure withheld to protect respondents’ anonymity.', example: { suppressed: true, reason: 'too-few-respondents' } });

type FigureSchemaOf<K> = K extends { type: 'mean' | 'meanOfSum' } ? typeof MeanFigureSchema : K extends { type: 'net' } ? typeof NetScoreFigureSchema : typeof ShareFigureSchema;
type ScorecardEntry<S extends Side> = Extract<RegistryEntry, { side: S; scorecard: true }>;

/** The figure schema of each measure of a side's scorecard, as its registry entry says. */
function figureSchemas<S extends Side>(side: S, wrap: (schema: z.ZodType) => z.ZodType = (schema) => schema) {
  const schemaOf = ({ kind }: RegistryEntry) =>
    kind.type === 'mean' || kind.type === 'meanOfSum' ? MeanFigureSchema : kind.type === 'net' ? NetScoreFigureSchema : ShareFigureSchema;
  return Object.fromEntries(
    MEASURE_REGISTRY.filter((entry) => entry.side === side && entry.scorecard).map((entry) => {
      const schema = wrap(schemaOf(entry));
      return [entry.name, 'description' in entry ? schema.openapi({ description: entry.description }) : schema];
    }),
  ) as { [E in ScorecardEntry<S> as E['name']]: FigureSchemaOf<E['kind']> };
}

export const ExternalFiguresSchema = z
  .object({ ratings: integer(), ...figureSchemas('external') })
  .openapi('ExternalFigures', { description: 'From clients’ ratings.' });

const orSuppressed = <T extends z.ZodType>(schema: T) => z.union([schema, SuppressedSchema]);
type OrSuppressed<T> = { [K in keyof T]: T[K] extends z.ZodType ? z.ZodUnion<[T[K], typeof SuppressedSchema]> : never };

export const InternalFiguresSchema = z
  .object({
    respondents: orSuppressed(integer()),
    weakestRootCause: orSuppressed(z.enum(ROOT_CAUSES).nullable()).openapi({ description: 'The root cause with the lowest mean.' }),
    knowledge: orSuppressed(MeanFigureSchema),
    ability: orSuppressed(MeanFigureSchema),
    ...(figureSchemas('internal', orSuppressed) as unknown as OrSuppressed<ReturnType<typeof figureSchemas<'internal'>>>),
  })
  .openapi('InternalFigures', { description: 'From employees’ ratings; suppressed for small groups.' });

export const ScorecardPeriodSchema = z
  .object({
    from: date('First day of the period.'),
    to: date('Day after the period (exclusive).'),
    external: ExternalFiguresSchema,
    internal: InternalFiguresSchema,
    byCustomerKind: z
      .object({ occasional: ExternalFiguresSchema, recurring: ExternalFiguresSchema })
      .optional()
      .openapi({ description: 'With `split=customerKind`.' }),
    byTenureBand: z
      .object({ new: InternalFiguresSchema, established: InternalFiguresSchema })
      .optional()
      .openapi({ description: 'With `split=tenureBand`: internal figures of staff under 12 months (`new`) and longer.' }),
    byRole: z
      .object({ frontline: InternalFiguresSchema, support: InternalFiguresSchema, leader: InternalFiguresSchema })
      .optional()
      .openapi({ description: 'With `split=role`.' }),
  })
  .openapi('ScorecardPeriod');

const span = { from: date('First day of the period.'), to: date('Day after the period (exclusive).') };
const why = [...WITHHELD_REASONS, 'no-data', 'no-periods'] as const;

export const TargetRoadSchema = z
  .object({
    measure: z.enum(MEASURES),
    unitId: uuid().nullable(),
    target: z.number(),
    baseline: BaselineSchema.nullable().openapi({ description: 'Where the road starts; null when the target has none (PUT /v1/targets `baseline`).' }),
    deadline: isoDate().nullable(),
    current: z
      .object({ value: z.number(), ...span })
      .nullable()
      .openapi({ description: "The latest period of this scorecard after the baseline with a value; internal measures only from published figures." }),
    currentReason: z.enum(why).nullable().openapi({
      description: 'Why `current` is null: the latest period’s withholding reason (see `Suppressed`), `no-data` (no ratings), `no-periods` (no period of this scorecard after the baseline).',
    }),
    reached: z.boolean().nullable().openapi({ description: 'current is at or beyond the target, in the measure’s better direction.' }),
    travelled: z.number().nullable().openapi({ description: 'current − baseline (negative is progress where lower is better, as for effort).' }),
    left: z.number().nullable().openapi({ description: 'Distance from current to the target in the better direction; 0 once reached.' }),
    share: z.number().nullable().openapi({
      description: 'Share of the road travelled: (current − baseline) / (target − baseline); 1 at the target, above 1 past it, below 0 when it went backwards; null without a baseline, a current value, or when the baseline already met the target.',
    }),
    pace: z
      .object({
        status: z.enum(['on-pace', 'off-pace', 'deadline-passed', 'no-deadline', 'too-few-points']),
        method: z.enum(['regression', 'linear']).nullable().openapi({ description: '`regression`: least squares through the baseline and the scope’s value in every ended month after it (each at its period’s middle; internal months only where published), whatever periods this scorecard shows; `linear`: the line through the baseline and one such month.' }),
        points: integer(),
        perMonth: z.number().nullable().openapi({ description: 'Change per month (30.44 days) in the measure’s unit.' }),
        projected: z.number().nullable().openapi({ description: 'Where the pace leads by the deadline, within the measure’s scale.' }),
      })
      .openapi('TargetPace', { description: 'Whether the pace since the baseline reaches the target by the deadline.' }),
  })
  .openapi('TargetRoad', {
    description: 'The road travelled and the road left for one target of this scorecard’s scope (the unit asked for, or the tenant).',
    example: {
      measure: 'csat',
      unitId: null,
      target: 0.8,
      baseline: { value: 0.62, from: '2026-01-01', to: '2026-02-01' },
      deadline: '2027-03-31',
      current: { value: 0.71, from: '2026-10-01', to: '2026-11-01' },
      currentReason: null,
      reached: false,
      travelled: 0.09,
      left: 0.09,
      share: 0.5,
      pace: { status: 'on-pace', method: 'regression', points: 10, perMonth: 0.01, projected: 0.86 },
    },
  });

export const ScorecardSchema = z
  .object({
    interval: z.enum(INTERVALS),
    unitId: uuid().nullable(),
    periods: z.array(ScorecardPeriodSchema).openapi({ description: 'Oldest first.' }),
    targets: z.array(TargetRoadSchema).openapi({ description: 'Each target of this scope (tenant-wide, or the unit’s own) with its road, as of the last period.' }),
  })
  .openapi('Scorecard', { example: scorecardExample() });

/** One month of a tenant with a CSAT target, for the document: measures, their uncertainty, gap and trend. */
function scorecardExample() {
  const none = { target: null, gap: null, trend: null, change: null };
  const mean = (value: number | null, n: number, standardError: number | null) => ({ value, n, standardError, ...none });
  // Measures the month below does not show are empty, with the fields their kind carries.
  const empty = (side: Side) =>
    Object.fromEntries(
      MEASURE_REGISTRY.filter((entry) => entry.side === side && entry.scorecard).map(({ name, kind }) => [
        name,
        kind.type === 'mean' || kind.type === 'meanOfSum' ? mean(null, 0, null) : { value: null, n: 0, interval: null, ...none },
      ]),
    );
  return {
    interval: 'month' as const,
    unitId: null,
    targets: [],
    periods: [
      {
        from: '2026-10-01',
        to: '2026-11-01',
        external: {
          ...empty('external'),
          ratings: 35,
          quality: mean(3.6, 35, 0.175),
          quantity: mean(null, 0, null),
          opportunity: mean(null, 0, null),
          cost: mean(null, 0, null),
          overall: mean(3.6, 35, 0.175),
          csat: { value: 0.6, n: 35, interval: { low: 0.436, high: 0.744 }, target: 0.75, gap: -0.15, trend: 0.04, change: { interval: { low: -0.18, high: 0.26 }, significant: false, test: 'two-proportion-z' as const, pValue: 0.73 } },
          nps: { value: -20, n: 35, interval: { low: -44.8, high: 4.8 }, ...none },
        },
        internal: {
          ...empty('internal'),
          respondents: 120,
          supportIndex: mean(3, 120, 0.09),
          leadershipSupport: mean(3, 120, 0.1),
          weakestRootCause: 'commitments' as const,
          knowledge: mean(3, 120, 0.13),
          ability: mean(3, 120, 0.13),
          willingness: mean(5, 120, 0),
          enps: { value: -45, n: 120, interval: { low: -59, high: -31 }, ...none },
        },
      },
    ],
  };
}

export type ScorecardQuery = z.infer<typeof ScorecardQuerySchema>;
export type ExternalFigures = z.infer<typeof ExternalFiguresSchema>;
export type InternalFigures = z.infer<typeof InternalFiguresSchema>;
export type Suppressed = z.infer<typeof SuppressedSchema>;
