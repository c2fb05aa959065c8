import { z } from '@hono/zod-openapi';
import { LINK_MIN_RATINGS, LINK_MIN_RESPONDENTS } from '../../domain/diagnostics.ts';
import { WITHHELD_REASONS } from '../../domain/disclosure.ts';
import { DEFAULT_RESAMPLES, KEY_DRIVER_PREDICTORS, minimumUnits } from '../../domain/key-drivers.ts';
import { ENPS_DRIVERS, minimumRespondents, RESPONDENT_SAMPLE_CAP, WILLINGNESS_DRIVERS } from '../../domain/respondent-drivers.ts';
import { integer, isoDate, uuid } from '../../http/schemas.ts';

export const KeyDriversQuerySchema = z.object({
  from: isoDate().optional().openapi({
    description: 'First day (UTC) of a month, inclusive; with `to`, one calendar month, quarter or 12 whole months. Default: the last complete quarter.',
  }),
  to: isoDate().optional().openapi({ description: 'First day (UTC) of the month after the period, exclusive. Default: the end of the last complete quarter.' }),
});

const IntervalSchema = z.object({ low: z.number(), high: z.number() });

const KeyDriverSchema = z
  .object({
    name: z.enum(KEY_DRIVER_PREDICTORS),
    rawWeight: z.number().openapi({ description: 'Johnson’s relative weight: this driver’s part of R² (the raw weights sum to R²).' }),
    share: z.number().openapi({ description: 'rawWeight / R², 0-1: its share of the explained variance.' }),
    interval: IntervalSchema.openapi({
      description:
        'Bootstrap 95% percentile interval of rawWeight (units resampled). A weight is never negative, so for one near 0 every ' +
        'resampled weight lies above it and the interval may start just above the weight itself.',
    }),
    versusRandom: IntervalSchema.openapi({
      description:
        'Bootstrap 95% interval of rawWeight minus the weight of a random variable added to the drivers (Tonidandel, LeBreton & Johnson 2009): ' +
        'raw weights are never negative, so this, not `interval`, says whether a driver stands out from chance.',
    }),
    associated: z.boolean().openapi({ description: '`versusRandom` excludes 0: the only drivers a verdict names.' }),
  })
  .openapi('KeyDriver');

/** One outcome's analysis; `n` and `minimum` say what was analysed: units or respondents. */
const analysisFields = (subject: 'units' | 'respondents', minimum: z.ZodType) => ({
  outcome: z.string(),
  n: integer().openapi({ description: subject === 'units' ? 'Units analysed.' : `Respondents analysed: the cell's, or a uniform sample of ${RESPONDENT_SAMPLE_CAP} of them.` }),
  ...(subject === 'units' ? { minimumUnits: minimum } : { minimumRespondents: minimum }),
  rSquared: z.number().nullable().openapi({ description: `Share of the outcome’s variance across ${subject} that the drivers together account for; null when nothing is said.` }),
  rSquaredInterval: IntervalSchema.nullable(),
  resamples: integer().openapi({ description: `Bootstrap resamples analysed (of ${DEFAULT_RESAMPLES}; seeded, so the same data gives the same intervals).` }),
  drivers: z.array(KeyDriverSchema).openapi({ description: 'By raw weight, largest first; empty when nothing is said.' }),
  grade: z.enum([subject === 'units' ? 'too-few-units' : 'too-few-respondents', 'no-clear-driver', 'drivers']),
  verdict: z.string().openapi({ description: 'Plain language; names a driver only when `associated`, and says "associated with", never "causes".' }),
});

const AnalysisSchema = z
  .object(
    analysisFields(
      'units',
      integer().openapi({ description: `Below this many units nothing is said: max(20, 5 per driver), ${minimumUnits(KEY_DRIVER_PREDICTORS.length)} here.` }),
    ),
  )
  .openapi('KeyDriverAnalysis');

export const KeyDriversSchema = z
  .object({
    period: z.object({ from: isoDate(), to: isoDate() }),
    units: integer().openapi({
      description:
        `The tenant's leaf units with ≥ ${LINK_MIN_RESPONDENTS} internal respondents, whose internal figures are published for the period, ` +
        `and ≥ ${LINK_MIN_RATINGS} external ratings.`,
    }),
    outcomes: z.object({ csat: AnalysisSchema, overall: AnalysisSchema }),
  })
  .openapi('KeyDrivers');

export const RespondentDriversQuerySchema = KeyDriversQuerySchema.extend({
  unitId: uuid().optional().openapi({ description: 'Only the respondents of this unit and the units under it (today’s tree). Default: the whole tenant.' }),
});

const RespondentAnalysisSchema = z
  .object(
    analysisFields(
      'respondents',
      integer().openapi({
        description:
          `Below this many respondents nothing is said: max(30, 10 per driver), ${minimumRespondents(WILLINGNESS_DRIVERS.length)} for willingness ` +
          `and ${minimumRespondents(ENPS_DRIVERS.length)} for eNPS.`,
      }),
    ),
  )
  .openapi('RespondentKeyDriverAnalysis');

export const RespondentDriversSchema = z
  .object({
    period: z.object({ from: isoDate(), to: isoDate() }),
    unitId: uuid().nullable(),
    respondents: integer()
      .nullable()
      .openapi({ description: 'Internal respondents of the cell (the tenant or the unit’s subtree, over the period); null when the cell is withheld.' }),
    withheld: z
      .object({ reason: z.enum(WITHHELD_REASONS) })
      .nullable()
      .openapi({
        description:
          'Why nothing is said about this cell: fewer than 5 respondents, a cell that published figures would isolate (complementary), or a period not ' +
          'yet ended; null when the cell is published.',
      }),
    outcomes: z
      .object({
        willingness: RespondentAnalysisSchema.openapi({ description: `Willingness (1-5) set beside ${WILLINGNESS_DRIVERS.join(', ')}.` }),
        enps: RespondentAnalysisSchema.openapi({
          description: `The 0-10 "would recommend as an employer" answer behind eNPS, of those who gave it, set beside ${ENPS_DRIVERS.join(', ')}.`,
        }),
      })
      .nullable()
      .openapi({ description: 'Null when the cell is withheld.' }),
  })
  .openapi('RespondentKeyDrivers');
