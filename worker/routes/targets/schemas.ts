import { z } from '@hono/zod-openapi';
import { MEASURES } from '../../../db/schema.ts';
import type { Target } from '../../db/targets.ts';
import { type Measure, MEASURE_RANGES } from '../../domain/measures.ts';
import { isoDate, timestamp, uuid } from '../../http/schemas.ts';

const measure = z.enum(MEASURES).openapi({ description: 'What the target is for.', example: 'csat' });
/** Each range with its measures, from the registry: "quality, …: 1 to 5; csat, …: 0 to 1; …". */
const byRange = new Map<string, string[]>();
for (const m of MEASURES) {
  const range = `${MEASURE_RANGES[m].min} to ${MEASURE_RANGES[m].max}`;
  byRange.set(range, [...(byRange.get(range) ?? []), m]);
}
const RANGES_NOTE = `Ranges: ${[...byRange].map(([range, measures]) => `${measures.join(', ')}: ${range}`).join('; ')}.`;

/** Targets one PUT may name: every measure for the tenant and for a few dozen units. */
export const MAX_TARGET_CHANGES = 200;

const unitId = uuid()
  .nullable()
  .openapi({ description: "The unit (with the units below it) the target is for; null or absent: the whole tenant. Another tenant's unit is a 404." });

export const BaselineSchema = z
  .object({
    value: z.number().openapi({ description: "The measure's value in the period, taken when the target was set.", example: 0.72 }),
    from: isoDate().openapi({ description: 'First day of the period.', example: '2026-01-01' }),
    to: isoDate().openapi({ description: 'Day after the period (exclusive).', example: '2026-02-01' }),
  })
  .openapi('TargetBaseline', { description: 'Where the road starts.' });

export const TargetSchema = z
  .object({
    measure,
    unitId: uuid().nullable().openapi({ description: 'null: tenant-wide.' }),
    target: z.number().openapi({ description: `In the measure's own unit. ${RANGES_NOTE}`, example: 0.85 }),
    baseline: BaselineSchema.nullable(),
    deadline: isoDate().nullable().openapi({ description: 'The day the target should be met by.', example: '2027-03-31' }),
    updatedAt: timestamp,
  })
  .openapi('Target');

/** A stored target as the API shows it. */
export function targetView(row: Target): z.infer<typeof TargetSchema> {
  return {
    measure: row.measure,
    unitId: row.unitId,
    target: row.target,
    baseline: row.baselineValue === null ? null : { value: row.baselineValue, from: row.baselineFrom!, to: row.baselineTo! },
    deadline: row.deadline,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const TargetListSchema = z.object({ data: z.array(TargetSchema) }).openapi('TargetList');

const baselineInput = z
  .union([
    z.literal('latest').openapi({ description: 'The last month that has ended.' }),
    z.strictObject({
      period: z
        .string()
        .max(7)
        .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'A month (2026-01) or a quarter (2026-Q1)')
        .openapi({ description: 'A whole month (`2026-01`) or quarter (`2026-Q1`) that has ended.', example: '2026-01' }),
    }),
  ])
  .nullable()
  .openapi('TargetBaselineInput', {
    description:
      "Where the road starts: the measure's value in a whole ended month or quarter of the target's scope, taken now and kept. " +
      '`latest`: the last month that has ended. The period must have a value (ratings, and for internal measures a published ' +
      'figure under the disclosure rule), else 422. null clears the baseline; absent keeps the stored one.',
    example: { period: '2026-01' },
  });

export const PutTargetsSchema = z
  .strictObject({
    targets: z
      .array(
        z.strictObject({
          measure,
          unitId: unitId.optional(),
          target: z.number().nullable().openapi({ description: `null removes the target. ${RANGES_NOTE}`, example: 0.85 }),
          baseline: baselineInput.optional(),
          deadline: isoDate()
            .nullable()
            .optional()
            .openapi({ description: 'A day after today (UTC) by which the target should be met; null clears it, absent keeps the stored one.', example: '2027-03-31' }),
        }),
      )
      .min(1)
      .max(MAX_TARGET_CHANGES),
  })
  .superRefine(({ targets }, context) => {
    const seen = new Set<string>();
    targets.forEach(({ measure, unitId, target }, index) => {
      const key = `${unitId ?? ''}:${measure}`;
      if (seen.has(key)) context.addIssue({ code: 'custom', path: ['targets', index, 'measure'], message: 'Each measure may appear only once per unit' });
      seen.add(key);
      const { min, max } = MEASURE_RANGES[measure as Measure];
      if (target !== null && (target < min || target > max)) {
        context.addIssue({ code: 'custom', path: ['targets', index, 'target'], message: `A ${measure} target must be between ${min} and ${max}` });
      }
    });
  })
  .openapi('PutTargets', {
    example: { targets: [{ measure: 'csat', target: 0.85, baseline: { period: '2026-01' }, deadline: '2027-03-31' }, { measure: 'nps', target: 40 }] },
  });

export type PutTargets = z.infer<typeof PutTargetsSchema>;
