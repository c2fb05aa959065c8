import { z } from '@hono/zod-openapi';
import { internalRatings } from '../../../db/schema.ts';
import { monthStart } from '../../domain/disclosure.ts';
import { MAX_BATCH_ITEMS } from '../external-ratings/schemas.ts';
import { answerKeys, rowFields } from '../../http/row-schemas.ts';
import { integer, isoDate, uuid } from '../../http/schemas.ts';

/** The request's fields as the table defines them; the scores' bounds and descriptions from the measure registry. */
const sent = rowFields(internalRatings, 'internal', ['unitId', 'occurredOn', 'tenureBand', 'role'], 'request');

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const InternalRatingInputSchema = z
  .strictObject({
    unitId: sent.unitId.openapi({ description: 'The unit whose support is rated; one of yours, not archived.' }),
    // A day, not a time: the hour of an anonymous answer would help tell who gave it, so it never
    // leaves the client. A datetime is refused rather than cut to its UTC day, which would move an
    // evening answer west of Greenwich to the next day.
    occurredOn: sent.occurredOn.openapi({
      description:
        'The day of the answer (YYYY-MM-DD, the respondent’s local day); a time of day is refused. At most one day ' +
        'after the server’s UTC date (time zones ahead of UTC), and in the current UTC month: a month’s internal ' +
        'figures are published once it has ended and never change, so an answer dated in an ended month is refused ' +
        '(it would otherwise show as the difference between two readings of the same figure).',
      example: '2026-11-23',
    }),
    ...rowFields(internalRatings, 'internal', answerKeys(internalRatings, 'internal'), 'request'),
    tenureBand: sent.tenureBand.openapi({ description: '`new`: under 12 months in the organization; `established`: longer.' }),
    role: sent.role,
  })
  .superRefine((rating, context) => {
    const now = Date.now();
    if (rating.occurredOn > utcDay(now + DAY_MS)) {
      context.addIssue({ code: 'custom', path: ['occurredOn'], message: 'Must not be later than tomorrow (UTC)' });
    } else if (rating.occurredOn < monthStart(new Date(now))) {
      context.addIssue({
        code: 'custom',
        path: ['occurredOn'],
        message: 'Must be in the current month (UTC): figures of an ended month are published and frozen, so no answer may join them',
      });
    }
  })
  .openapi('InternalRatingInput', {
    description: 'One employee’s anonymous rating of the support they receive. Any field naming the employee is refused.',
    example: {
      unitId: '01a20a57-cead-7550-9c07-96c405677460',
      occurredOn: '2026-11-23',
      commitments: 2,
      internalCulture: 3,
      empowerment: 2,
      recognition: 1,
      leadershipSupport: 3,
      knowledge: 4,
      ability: 3,
      willingness: 5,
      tenureBand: 'established',
      role: 'frontline',
      recommendEmployer: 6,
    },
  });

export type InternalRatingInput = z.infer<typeof InternalRatingInputSchema>;

export const InternalRatingBatchSchema = z
  .strictObject({ items: z.array(InternalRatingInputSchema).min(1).max(MAX_BATCH_ITEMS) })
  .openapi('InternalRatingBatch');

export const InternalRatingReceiptSchema = z
  .object({
    accepted: z.literal(true),
    occurredOn: sent.occurredOn.openapi({ description: 'The day stored: the only time an internal rating keeps.' }),
    unitId: uuid(),
  })
  .openapi('InternalRatingReceipt', {
    description: 'The rating was stored. It has no id: individual internal ratings are never readable, only aggregates of 5 or more.',
  });

export const InternalRatingBatchResultSchema = z
  .object({ count: integer().openapi({ description: 'How many ratings were stored.' }) })
  .openapi('InternalRatingBatchResult');
