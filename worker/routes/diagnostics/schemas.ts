import { z } from '@hono/zod-openapi';
import { CUSTOMER_KINDS, SERVICE_COMPONENTS, TENURE_BANDS } from '../../../db/schema.ts';
import { ROOT_CAUSES } from '../../domain/measures.ts';
import {
  CHANGE_FIGURES,
  type ChangeFigure,
  HIGH_BLAME_SHARE,
  HIGH_FAVOURABLE_WILLINGNESS,
  LINK_MIN_RATINGS,
  LINK_MIN_RESPONDENTS,
  LINK_MIN_UNITS,
  LOW_SUPPORT_INDEX,
} from '../../domain/diagnostics.ts';
import { integer, isoDate, uuid } from '../../http/schemas.ts';

export const DiagnosticsQuerySchema = z.object({
  from: isoDate().optional().openapi({
    description: 'First day (UTC) of a month, inclusive; with `to`, one calendar month, quarter or 12 whole months. Default: the last complete quarter.',
  }),
  to: isoDate().optional().openapi({ description: 'First day (UTC) of the month after the period, exclusive. Default: the end of the last complete quarter.' }),
  unitId: uuid().optional().openapi({ description: 'Only this unit and the units under it (the service-profit link stays tenant-wide).' }),
});

const IntervalSchema = z.object({ low: z.number(), high: z.number() });
const ShareSchema = z
  .object({ n: integer(), share: z.number(), interval: IntervalSchema.openapi({ description: 'Wilson 95% interval.' }) })
  .openapi('DiagnosticShare');
const MeanSchema = z
  .object({ n: integer(), mean: z.number(), standardError: z.number().nullable() })
  .openapi('DiagnosticMean');
const SuppressedSchema = z
  .object({ suppressed: z.literal(true), reason: z.string() })
  .openapi('DiagnosticSuppressed', {
    description: 'An internal figure withheld: fewer than 5 respondents, one that published figures would isolate, or a period not yet ended.',
  });
const DifferenceSchema = z
  .object({ estimate: z.number(), standardError: z.number(), interval: IntervalSchema.openapi({ description: '95% interval.' }) })
  .openapi('DiagnosticDifference');

const internal = <T extends z.ZodType>(schema: T) => z.union([schema, SuppressedSchema]).nullable();

const FigureChangeSchema = z
  .object({
    previous: z.number().openapi({ description: 'The figure in the previous period.' }),
    current: z.number().openapi({ description: 'The figure in this period.' }),
    difference: z.number().openapi({ description: 'current − previous, on the figure’s scale (mean points, share 0-1, net-score points).' }),
    interval: IntervalSchema.openapi({ description: '95% interval of the difference (Welch for means, Newcombe’s hybrid score for shares, multinomial for net scores).' }),
    significant: z.boolean().openapi({ description: 'p < 0.05, two-sided: only then does a finding say the figure rose or fell.' }),
    test: z.enum(['welch-t', 'two-proportion-z', 'net-score-z']),
    pValue: z.number(),
  })
  .openapi('FigureChange');

export const DiagnosticsSchema = z
  .object({
    period: z.object({ from: isoDate(), to: isoDate() }),
    unitId: uuid().nullable(),
    changes: z
      .object({
        previousPeriod: z.object({ from: isoDate(), to: isoDate() }).openapi({ description: 'The period of the same kind just before: the previous month, quarter or 12 months.' }),
        figures: z.object(
          Object.fromEntries([
            ...CHANGE_FIGURES.external.map((figure) => [figure, FigureChangeSchema.nullable()]),
            ...CHANGE_FIGURES.internal.map((figure) => [figure, internal(FigureChangeSchema)]),
          ]) as Record<ChangeFigure, z.ZodNullable<z.ZodUnion<[typeof FigureChangeSchema, typeof SuppressedSchema]>>>,
        ),
      })
      .nullable()
      .openapi('DiagnosticChanges', {
        description:
          'What really changed against the previous period: the four indicators, CSAT, NPS, the support index and eNPS, each with its ' +
          'difference, 95% interval and whether it is significant (null where a period has no answers). The internal figures are ' +
          'withheld unless both periods’ cells are published. Findings say a figure rose or fell only when its change is significant.',
      }),
    attitudeParadox: z
      .object({
        blameShare: ShareSchema.nullable().openapi({ description: 'Among dissatisfied external ratings (overall ≤ 2), the share blaming attitude.' }),
        favourableWillingness: internal(ShareSchema).openapi({ description: 'Share of internal respondents with willingness ≥ 4.' }),
        supportIndex: internal(MeanSchema).openapi({ description: 'Mean of the five support scores, 1-5.' }),
        verdict: z.enum(['organizational', 'not-indicated', 'insufficient-data']).openapi({
          description:
            `\`organizational\` when blameShare ≥ ${HIGH_BLAME_SHARE}, favourableWillingness ≥ ${HIGH_FAVOURABLE_WILLINGNESS} ` +
            `and supportIndex < ${LOW_SUPPORT_INDEX}: clients blame attitude, staff are willing, the organization does not support them.`,
        }),
      })
      .openapi('AttitudeParadox'),
    rootCauses: internal(
      z.object({
        means: z.object(Object.fromEntries(ROOT_CAUSES.map((cause) => [cause, MeanSchema])) as Record<(typeof ROOT_CAUSES)[number], typeof MeanSchema>),
        weakest: z.enum(ROOT_CAUSES),
      }),
    ),
    leadershipSupport: internal(MeanSchema).openapi({
      description: `Support from leaders, 1-5: part of the support index and a figure of its own (a finding below ${LOW_SUPPORT_INDEX}).`,
    }),
    attitudeDecay: z
      .object({
        ...(Object.fromEntries(TENURE_BANDS.map((band) => [band, internal(MeanSchema)])) as Record<(typeof TENURE_BANDS)[number], ReturnType<typeof internal<typeof MeanSchema>>>),
        difference: DifferenceSchema.nullable().openapi({ description: 'new − established willingness.' }),
      })
      .openapi('AttitudeDecay', { description: 'Willingness (1-5) of new (under 12 months) and established staff.' }),
    blame: z
      .object({
        unsatisfied: integer().openapi({ description: 'External ratings with overall ≤ 3, which may name a component.' }),
        components: z.object(
          Object.fromEntries(SERVICE_COMPONENTS.map((c) => [c, z.object({ count: integer(), share: ShareSchema.nullable() })])) as Record<
            (typeof SERVICE_COMPONENTS)[number],
            z.ZodObject<{ count: z.ZodNumber; share: z.ZodNullable<typeof ShareSchema> }>
          >,
        ),
        attitudeByCustomerKind: z.object({
          ...(Object.fromEntries(CUSTOMER_KINDS.map((kind) => [kind, ShareSchema.nullable()])) as Record<(typeof CUSTOMER_KINDS)[number], z.ZodNullable<typeof ShareSchema>>),
          difference: DifferenceSchema.nullable().openapi({ description: 'occasional − recurring.' }),
        }),
      })
      .openapi('Blame'),
    serviceProfitLink: z
      .object({
        qualifyingUnits: integer(),
        correlation: z
          .object({ n: integer(), r: z.number(), interval: IntervalSchema.nullable().openapi({ description: 'Fisher z 95% interval.' }) })
          .nullable(),
        reason: z.string().nullable().openapi({ description: 'Why there is no correlation, when there is none.' }),
      })
      .openapi('ServiceProfitLink', {
        description:
          `Pearson correlation between units' support index and CSAT, across the tenant's units with ≥ ${LINK_MIN_RESPONDENTS} ` +
          `internal respondents and ≥ ${LINK_MIN_RATINGS} external ratings in the period; none under ${LINK_MIN_UNITS} such units.`,
      }),
    findings: z.array(
      z
        .object({
          id: z.string().openapi({ example: 'attitude-paradox' }),
          severity: z.enum(['high', 'medium', 'info']),
          text: z.string(),
          recommendation: z.string().optional(),
          supportedBy: z.array(z.string()).openapi({ description: 'Paths of the figures in this response it rests on.', example: ['attitudeParadox.blameShare'] }),
        })
        .openapi('Finding'),
    ),
  })
  .openapi('Diagnostics');
