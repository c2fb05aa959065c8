import { z } from '@hono/zod-openapi';
import { LINK_MIN_RATINGS, LINK_MIN_RESPONDENTS } from '../../domain/diagnostics.ts';
import { DEFAULT_RESAMPLES, KEY_DRIVER_PREDICTORS, minimumUnits } from '../../domain/key-drivers.ts';
import { integer, isoDate } from '../../http/schemas.ts';

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
    interval: IntervalSchema.openapi({ description: 'Bootstrap 95% percentile interval of rawWeight (units resampled).' }),
    versusRandom: IntervalSchema.openapi({
      description:
        'Bootstrap 95% interval of rawWeight minus the weight of a random variable added to the drivers (Tonidandel, LeBreton & Johnson 2009): ' +
        'raw weights are never negative, so this, not `interval`, says whether a driver stands out from chance.',
    }),
    associated: z.boolean().openapi({ description: '`versusRandom` excludes 0: the only drivers a verdict names.' }),
  })
  .openapi('KeyDriver');

const AnalysisSchema = z
  .object({
    outcome: z.string(),
    n: integer().openapi({ description: 'Units analysed.' }),
    minimumUnits: integer().openapi({ description: `Below this many units nothing is said: max(20, 5 per driver), ${minimumUnits(KEY_DRIVER_PREDICTORS.length)} here.` }),
    rSquared: z.number().nullable().openapi({ description: 'Share of the outcome’s variance across units that the drivers together account for; null when nothing is said.' }),
    rSquaredInterval: IntervalSchema.nullable(),
    resamples: integer().openapi({ description: `Bootstrap resamples analysed (of ${DEFAULT_RESAMPLES}; seeded, so the same data gives the same intervals).` }),
    drivers: z.array(KeyDriverSchema).openapi({ description: 'By raw weight, largest first; empty when nothing is said.' }),
    grade: z.enum(['too-few-units', 'no-clear-driver', 'drivers']),
    verdict: z.string().openapi({ description: 'Plain language; names a driver only when `associated`, and says "associated with", never "causes".' }),
  })
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
