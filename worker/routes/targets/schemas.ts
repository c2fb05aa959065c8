import { z } from '@hono/zod-openapi';
import { MEASURES } from '../../../db/schema.ts';
import { type Measure, MEASURE_RANGES } from '../../domain/measures.ts';
import { timestamp } from '../../http/schemas.ts';

const measure = z.enum(MEASURES).openapi({ description: 'What the target is for.', example: 'csat' });
/** Each range with its measures, from the registry: "quality, …: 1 to 5; csat, …: 0 to 1; …". */
const byRange = new Map<string, string[]>();
for (const m of MEASURES) {
  const range = `${MEASURE_RANGES[m].min} to ${MEASURE_RANGES[m].max}`;
  byRange.set(range, [...(byRange.get(range) ?? []), m]);
}
const RANGES_NOTE = `Ranges: ${[...byRange].map(([range, measures]) => `${measures.join(', ')}: ${range}`).join('; ')}.`;

export const TargetSchema = z
  .object({
    measure,
    target: z.number().openapi({ description: `In the measure's own unit. ${RANGES_NOTE}`, example: 0.85 }),
    updatedAt: timestamp,
  })
  .openapi('Target');

export const TargetListSchema = z.object({ data: z.array(TargetSchema) }).openapi('TargetList');

export const PutTargetsSchema = z
  .strictObject({
    targets: z
      .array(
        z.strictObject({
          measure,
          target: z.number().nullable().openapi({ description: `null removes the target. ${RANGES_NOTE}`, example: 0.85 }),
        }),
      )
      .min(1)
      .max(MEASURES.length),
  })
  .superRefine(({ targets }, context) => {
    const seen = new Set<Measure>();
    targets.forEach(({ measure, target }, index) => {
      if (seen.has(measure)) context.addIssue({ code: 'custom', path: ['targets', index, 'measure'], message: 'Each measure may appear only once' });
      seen.add(measure);
      const { min, max } = MEASURE_RANGES[measure];
      if (target !== null && (target < min || target > max)) {
        context.addIssue({ code: 'custom', path: ['targets', index, 'target'], message: `A ${measure} target must be between ${min} and ${max}` });
      }
    });
  })
  .openapi('PutTargets', { example: { targets: [{ measure: 'csat', target: 0.85 }, { measure: 'nps', target: 40 }] } });
