import { z } from '@hono/zod-openapi';
import { COHORT_KINDS, MEASURES, PERIOD_KINDS, TARGET_SIDES, type WEBHOOK_EVENT_TYPES } from '../../../db/schema.ts';
import type { AppRouter } from '../../http/router.ts';
import { isoDate, timestamp, uuid } from '../../http/schemas.ts';

type EventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const PeriodSchema = z.object({
  kind: z.enum(PERIOD_KINDS),
  start: isoDate().openapi({ description: 'First day, inclusive.' }),
  end: isoDate().openapi({ description: 'Last day, exclusive.' }),
});

/**
 * Each event type's `data`, as the statements that emit it build it (worker/db: benchmarks.ts
 * `publishedData`, targets.ts `recordEvaluations`, credentials.ts `apiKeyRevokedEvent`, webhooks.ts
 * `sendTestEvent`). tests/api/webhook-management.test.ts validates delivered events against these.
 */
const EVENT_DATA = {
  'benchmark.snapshot.published': z.object({
    snapshotId: uuid(),
    period: PeriodSchema,
    cohorts: z
      .object({ all: z.literal(''), industry: z.string(), sizeBand: z.string(), region: z.string() })
      .partial()
      .openapi({ description: "The tenant's cohort values; empty when it does not take part." }),
    positions: z.array(
      z.object({ measure: z.enum(MEASURES), cohortKind: z.enum(COHORT_KINDS), value: z.number(), percentileRank: z.number() }),
    ),
  }),
  'scorecard.target.crossed': z.object({
    unitId: uuid().nullable().openapi({ description: "The unit whose target it is (judged on its external ratings and its units'); null: tenant-wide." }),
    measure: z.enum(MEASURES),
    target: z.number(),
    value: z.number(),
    side: z.enum(TARGET_SIDES),
    previousSide: z.enum(TARGET_SIDES),
    window: z.object({ start: isoDate(), end: isoDate() }),
  }),
  'api_key.revoked': z.object({
    apiKey: z.object({ id: uuid(), name: z.string(), displayPrefix: z.string(), revokedAt: z.string() }),
  }),
  'webhook.test': z.object({ endpointId: uuid(), message: z.string() }),
} satisfies Record<EventType, z.ZodType>;

const DESCRIPTIONS: Record<EventType, string> = {
  'benchmark.snapshot.published': "A new benchmark snapshot, with the tenant's positions in it (daily job).",
  'scorecard.target.crossed': 'A measure moved to the other side of its target (daily evaluation).',
  'api_key.revoked': 'An API key was revoked.',
  'webhook.test': 'Sent on request (`POST /v1/webhook-endpoints/{id}/test`) to that endpoint only; not subscribable.',
};

/** Schema names for the document, e.g. `ApiKeyRevokedEvent`. */
const schemaName = (type: string) =>
  `${type.split(/[._]/).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}Event`;

/** Documents every event type under the document's `webhooks`: what a receiver gets, and what it answers. */
export function documentWebhookEvents(app: AppRouter): void {
  for (const [type, data] of Object.entries(EVENT_DATA) as [EventType, z.ZodType][]) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `${schemaName(type)[0]!.toLowerCase()}${schemaName(type).slice(1)}`,
      summary: type,
      description:
        `${DESCRIPTIONS[type]} POSTed as JSON, signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, ` +
        '`webhook-signature`); the same `webhook-id` on every retry.',
      tags: ['Webhooks'],
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ type: z.literal(type), timestamp: timestamp.openapi({ description: 'When the event happened.' }), data })
                .openapi(schemaName(type)),
            },
          },
        },
      },
      responses: {
        200: { description: 'Any 2xx within 10 seconds is success; anything else is retried.' },
      },
    });
  }
}
