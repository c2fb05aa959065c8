import { z } from '@hono/zod-openapi';
import { getTableColumns } from 'drizzle-orm';
import { CHANNELS, CUSTOMER_KINDS, externalRatings, SERVICE_COMPONENTS } from '../../../db/schema.ts';
import { pageQuerySchema } from '../../http/pagination.ts';
import { answerColumns } from '../../domain/measure-registry.ts';
import { answerKeys, rowFields } from '../../http/row-schemas.ts';
import { idParamsSchema, integer, text, timestamp, uuid } from '../../http/schemas.ts';

/** How far ahead of the server's clock `occurredAt` may be (clock skew of kiosks and phones). */
export const MAX_FUTURE_MS = 5 * 60 * 1000;
/** Ratings older than this are refused: they would land in closed benchmark periods. */
export const MAX_AGE_MS = 2 * 366 * 24 * 60 * 60 * 1000;

/** One encounter, as both examples (what is sent and what is read back) show it; any other answer as its registry entry's example. */
const RATING_EXAMPLE = {
  ...Object.fromEntries(answerColumns('external').map((answer) => [answer.column, answer.example])),
  unitId: '01a20a57-c1bc-76da-b850-9b49d68f0537',
  quality: 2,
  quantity: 4,
  opportunity: 3,
  cost: 4,
  overall: 2,
  recommend: 4,
  customerKind: 'recurring',
  channel: 'in-person',
  blamedComponent: 'procedures',
  blamesAttitude: false,
  comment: 'Had to fill in the same form twice.',
} as const;

/** The request's fields as the table defines them; answers (indicators, overall, recommend…) from the measure registry. */
const sent = rowFields(externalRatings, 'external', ['unitId', 'occurredAt', 'customerKind', 'channel', 'blamedComponent', 'blamesAttitude'], 'request');

export const ExternalRatingInputSchema = z
  .strictObject({
    unitId: sent.unitId.openapi({ description: 'The unit (touchpoint) the encounter happened at; one of yours, not archived.' }),
    occurredAt: sent.occurredAt.openapi({
      description: 'When the encounter happened (RFC 3339). At most 5 minutes ahead of the server, at most 2 years back.',
      example: '2026-11-23T10:15:00Z',
    }),
    ...rowFields(externalRatings, 'external', answerKeys(externalRatings, 'external'), 'request'),
    customerKind: sent.customerKind.openapi({ description: 'Occasional, or recurring (distributors, repeat buyers).' }),
    channel: sent.channel,
    blamedComponent: sent.blamedComponent.openapi({
      description: 'For a rating with overall ≤ 3: which of the six service components the client blames.',
    }),
    blamesAttitude: sent.blamesAttitude.openapi({
      description: "For a rating with overall ≤ 3: whether the client blames the staff's attitude.",
    }),
    // Free text refuses what Postgres cannot store, and is bounded as the table's check bounds it.
    comment: text().max(2000).nullish(),
    customerRef: text().min(1).max(256).nullish().openapi({
      description:
        "Your reference for the client (e.g. a CRM id), to erase their ratings on request. Stored only as a keyed hash; never returned.",
    }),
  })
  .superRefine((rating, context) => {
    if (rating.quality == null && rating.quantity == null && rating.opportunity == null && rating.cost == null) {
      context.addIssue({ code: 'custom', path: ['quality'], message: 'At least one of quality, quantity, opportunity or cost is required' });
    }
    if (rating.overall >= 4) {
      for (const field of ['blamedComponent', 'blamesAttitude'] as const) {
        if (rating[field] != null) {
          context.addIssue({ code: 'custom', path: [field], message: 'Only a rating with overall ≤ 3 can blame something' });
        }
      }
    }
    const occurredAt = Date.parse(rating.occurredAt);
    const now = Date.now();
    if (occurredAt > now + MAX_FUTURE_MS) {
      context.addIssue({ code: 'custom', path: ['occurredAt'], message: 'Must not be more than 5 minutes in the future' });
    } else if (occurredAt < now - MAX_AGE_MS) {
      context.addIssue({ code: 'custom', path: ['occurredAt'], message: 'Must not be more than 2 years in the past' });
    }
  })
  .openapi('ExternalRatingInput', { example: { ...RATING_EXAMPLE, occurredAt: '2026-11-23T10:42:00Z', customerRef: 'crm:customer/88412' } });

export type ExternalRatingInput = z.infer<typeof ExternalRatingInputSchema>;

export const MAX_BATCH_ITEMS = 1000;

export const ExternalRatingBatchSchema = z
  .strictObject({ items: z.array(ExternalRatingInputSchema).min(1).max(MAX_BATCH_ITEMS) })
  .openapi('ExternalRatingBatch');

/** What a read shows: every column but the tenant and the customer's hash (only whether there is one). */
const READ_KEYS = Object.keys(getTableColumns(externalRatings)).filter((key) => key !== 'tenantId' && key !== 'customerRefHash') as Exclude<
  keyof typeof externalRatings._.columns,
  'tenantId' | 'customerRefHash'
>[];

export const ExternalRatingSchema = z
  .object({
    ...rowFields(externalRatings, 'external', READ_KEYS, 'response'),
    hasCustomerRef: z.boolean().openapi({ description: 'Whether a customerRef was given (the reference itself is never returned).' }),
  })
  .openapi('ExternalRating', {
    example: {
      id: '01a20a57-c21a-73b7-b557-bb7536080e44',
      ...RATING_EXAMPLE,
      occurredAt: '2026-11-23T10:42:00.000Z',
      receivedAt: '2026-11-23T10:42:03.512Z',
      hasCustomerRef: true,
    },
  });

export const ExternalRatingBatchResultSchema = z
  .object({
    count: integer(),
    ids: z.array(uuid()).openapi({ description: 'The new ratings’ ids, in the order of the items.' }),
  })
  .openapi('ExternalRatingBatchResult');

export type ExternalRatingResource = z.infer<typeof ExternalRatingSchema>;

/** The export's columns: the resource's fields, in order. */
export const CSV_COLUMNS = Object.keys(ExternalRatingSchema.shape) as (keyof ExternalRatingResource)[];

/** The filters of the list and of the CSV export. */
const filters = {
  unitId: uuid().optional().openapi({ description: 'Only ratings of this unit.' }),
  from: timestamp.optional().openapi({ description: 'Only encounters at or after this time (`occurredAt`).' }),
  to: timestamp.optional().openapi({ description: 'Only encounters before this time (`occurredAt`, exclusive).' }),
  customerKind: z.enum(CUSTOMER_KINDS).optional().openapi({ description: 'Only ratings by this kind of customer.' }),
  channel: z.enum(CHANNELS).optional().openapi({ description: 'Only ratings given through this channel.' }),
  blamedComponent: z.enum(SERVICE_COMPONENTS).optional().openapi({ description: 'Only ratings blaming this component.' }),
};

const chronological = <T extends z.ZodType<{ from?: string | undefined; to?: string | undefined }>>(schema: T) =>
  schema.refine(({ from, to }) => from === undefined || to === undefined || Date.parse(from) <= Date.parse(to), {
    message: 'Must not be before `from`',
    path: ['to'],
  });

export const ListExternalRatingsQuerySchema = chronological(pageQuerySchema({ max: 200, fallback: 50 }).extend(filters));
export const ExportExternalRatingsQuerySchema = chronological(z.object(filters));
export type ExternalRatingFilterQuery = z.infer<typeof ExportExternalRatingsQuerySchema>;

export const ExternalRatingParamsSchema = idParamsSchema('The rating id.');

export const EraseExternalRatingsQuerySchema = z.object({
  customerRef: text().min(1).max(256).openapi({
    description: 'The reference given as `customerRef` when the ratings were sent; matched through its keyed hash.',
    example: 'crm-4711',
  }),
});

export const ErasureResultSchema = z
  .object({ erased: integer().openapi({ description: 'How many ratings were erased; 0 if none matched.', example: 3 }) })
  .openapi('ExternalRatingErasure');
