import { createRoute, z } from '@hono/zod-openapi';
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../../db/schema.ts';
import { MAX_ATTEMPTS } from '../../domain/webhooks.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { IDEMPOTENCY_PROBLEMS, IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { PageQuerySchema, pageSchema } from '../../http/pagination.ts';
import { BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { resourceRoutes } from '../resource.ts';
import { timestamp, uuid } from '../../http/schemas.ts';
import { rotationSchema } from '../api-keys/routes.ts';

const tags = ['Webhooks'];
export const MAX_URL_LENGTH = 2048;

const EventTypesSchema = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES))
  .min(1)
  .max(SUBSCRIBABLE_EVENT_TYPES.length)
  .openapi({ description: 'The events sent to the endpoint.', example: ['benchmark.snapshot.published', 'api_key.revoked'] });

export const WebhookEndpointSchema = z
  .object({
    id: uuid(),
    url: z.string().max(MAX_URL_LENGTH).openapi({ example: 'https://hooks.example.com/service-culture' }),
    eventTypes: EventTypesSchema,
    status: z.enum(['enabled', 'disabled']).openapi({
      description:
        '`disabled` after every delivery attempt failed for 24 hours, or by an admin; a disabled endpoint gets no ' +
        'events. `PATCH` it with `status: enabled` to enable it again.',
    }),
    failingSince: timestamp.nullable().openapi({ description: 'Since when every attempt has failed; null after a success.' }),
    disabledAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .openapi('WebhookEndpoint', { description: 'A webhook endpoint, without its signing secret.' });

export const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z
    .string()
    .max(100)
    .nullable()
    .openapi({
      description:
        'The signing secret (Standard Webhooks: `whsec_` + base64 of the key). Shown only in this response: store it ' +
        'now. Null in a replay (`Idempotent-Replayed: true`): a secret shown once is not kept with the stored response.',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
}).openapi('CreatedWebhookEndpoint', { description: 'A new webhook endpoint with its signing secret, shown once.' });

const UrlSchema = z.string().max(MAX_URL_LENGTH).openapi({
  description:
    'An https URL of a public host, ports 443 or 1024-65535, without credentials. Private, loopback, link-local ' +
    'and metadata addresses and internal names (`localhost`, `*.internal`, `*.local`) are refused. Redirects are ' +
    'not followed.',
  example: 'https://hooks.example.com/service-culture',
});
const SubscribedTypesSchema = EventTypesSchema.refine((types) => new Set(types).size === types.length, { message: 'Each event type may appear only once' });

const CreateWebhookEndpointSchema = z
  .strictObject({
    url: UrlSchema,
    eventTypes: SubscribedTypesSchema,
  })
  .openapi('CreateWebhookEndpoint');

const UpdateWebhookEndpointSchema = z
  .strictObject({
    url: UrlSchema.optional(),
    eventTypes: SubscribedTypesSchema.optional(),
    status: z.enum(['enabled', 'disabled']).optional().openapi({
      description: '`enabled` resets the failure clock (`failingSince`); `disabled` abandons the pending deliveries.',
    }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one of url, eventTypes, status' })
  .openapi('UpdateWebhookEndpoint');

export const WebhookAttemptSchema = z
  .object({
    id: uuid(),
    deliveryId: uuid(),
    eventId: uuid().openapi({ description: 'The `webhook-id` sent: the same on every attempt of a delivery.' }),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    attemptedAt: timestamp,
    statusCode: z.number().int().min(100).max(599).nullable().openapi({ description: 'Null when no response came (timeout, refused connection).' }),
    durationMs: z.number().int().min(0).max(3_600_000),
    error: z.string().max(500).nullable().openapi({ example: 'HTTP 500' }),
    delivery: z
      .object({
        status: z.enum(WEBHOOK_DELIVERY_STATUSES).openapi({
          description: `\`pending\`: retried later; \`abandoned\`: ${MAX_ATTEMPTS} attempts failed, or the endpoint was disabled.`,
        }),
        attempts: z.number().int().min(0).max(MAX_ATTEMPTS),
      })
      .openapi({ description: 'The delivery this attempt belongs to, as it is now.' }),
  })
  .openapi('WebhookAttempt');

const RotateWebhookSecretSchema = rotationSchema('keeps signing too').openapi('RotateWebhookSecret');

export const {
  params: EndpointParamsSchema,
  create: createWebhookEndpoint,
  list: listWebhookEndpoints,
  get: getWebhookEndpoint,
  remove: deleteWebhookEndpoint,
} = resourceRoutes({
  path: '/v1/webhook-endpoints',
  tags,
  scope: 'admin',
  id: 'The webhook endpoint id.',
  item: WebhookEndpointSchema,
  page: 'WebhookEndpointPage',
  create: {
    operationId: 'createWebhookEndpoint',
    summary: 'Create a webhook endpoint',
    description:
      'Subscribes a URL to events and shows its signing secret once. Each event is POSTed as JSON ' +
      '`{ type, timestamp, data }`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`: ' +
      '`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret). Any 2xx within 10 seconds is success; ' +
      'otherwise it is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (plus up to 10% jitter), with the same ' +
      '`webhook-id`. An endpoint whose attempts have all failed for 24 hours is disabled (audited). Needs the `admin` scope.',
    body: CreateWebhookEndpointSchema,
    created: { description: 'The endpoint, with its signing secret.', location: 'The new endpoint.', schema: CreatedWebhookEndpointSchema },
  },
  list: {
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints',
    description: "The tenant's endpoints, newest first. Needs the `admin` scope.",
    response: 'A page of endpoints.',
  },
  get: { operationId: 'getWebhookEndpoint', summary: 'Get a webhook endpoint', description: 'Needs the `admin` scope.', response: 'The endpoint.' },
  remove: {
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint',
    description: 'Stops its deliveries and deletes it with its delivery history (audited). Needs the `admin` scope.',
    responses: { 204: { description: 'Deleted.' } },
  },
});

export const rotateWebhookSecret = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  summary: "Rotate a webhook endpoint's signing secret",
  description:
    'Issues a new signing secret and shows it once. For the grace period every delivery carries two signatures in ' +
    '`webhook-signature` (space-separated, new and old), so the receiver can switch secrets without rejecting an ' +
    'event. The body is optional. Send an `Idempotency-Key` so a retry cannot rotate twice; a replay shows the ' +
    'endpoint with a null secret. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: {
    params: EndpointParamsSchema,
    headers: IdempotencyHeadersSchema,
    body: { required: false, content: { 'application/json': { schema: RotateWebhookSecretSchema } } },
  },
  responses: {
    200: { description: 'The endpoint, with its new secret.', content: { 'application/json': { schema: CreatedWebhookEndpointSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS),
  },
});

export const listWebhookAttempts = createRoute({
  method: 'get',
  path: '/v1/webhook-endpoints/{id}/deliveries',
  operationId: 'listWebhookAttempts',
  summary: "List an endpoint's delivery attempts",
  description: 'Every attempt to deliver an event to the endpoint, newest first, with its delivery. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { params: EndpointParamsSchema, query: PageQuerySchema },
  responses: {
    200: {
      description: 'A page of attempts.',
      content: { 'application/json': { schema: pageSchema(WebhookAttemptSchema, 'WebhookAttemptPage') } },
    },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, QUERY_PROBLEMS),
  },
});

const DeliveryParamsSchema = EndpointParamsSchema.extend({
  deliveryId: uuid().openapi({ param: { name: 'deliveryId', in: 'path' }, description: 'A delivery of the endpoint (`deliveryId` of its attempts).' }),
});

export const updateWebhookEndpoint = createRoute({
  method: 'patch',
  path: '/v1/webhook-endpoints/{id}',
  operationId: 'updateWebhookEndpoint',
  summary: 'Change a webhook endpoint',
  description:
    'Changes its URL, its event types, or enables or disables it; what is not given stays. Enabling an endpoint the ' +
    'delivery job disabled resets its failure clock; disabling abandons its pending deliveries. Audited with the ' +
    'changes. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: {
    params: EndpointParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateWebhookEndpointSchema } } },
  },
  responses: {
    200: { description: 'The endpoint as changed.', content: { 'application/json': { schema: WebhookEndpointSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, JSON_BODY_PROBLEMS),
  },
});

const ScheduledDeliverySchema = z
  .object({
    eventId: uuid().openapi({ description: 'The `webhook-id` the receiver gets.' }),
    deliveryId: uuid().openapi({ description: 'Its attempts are listed at `GET …/deliveries`.' }),
  })
  .openapi('ScheduledDelivery');

export const testWebhookEndpoint = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/test',
  operationId: 'testWebhookEndpoint',
  summary: 'Send a test event',
  description:
    'Writes a `webhook.test` event for this endpoint only, delivered, signed and retried like any event, within a ' +
    'minute; its attempts show at `GET …/deliveries`. Audited. The endpoint must be enabled. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { params: EndpointParamsSchema },
  responses: {
    202: { description: 'The event is in the outbox.', content: { 'application/json': { schema: ScheduledDeliverySchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, 'conflict'),
  },
});

export const redeliverWebhook = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
  operationId: 'redeliverWebhook',
  summary: 'Deliver an event again',
  description:
    'Schedules a finished delivery (succeeded, or abandoned after its retries or a disabling) again, due now, with ' +
    'a fresh set of retries and the same `webhook-id`, so a receiver that already has it can ignore it. Audited. A ' +
    'delivery still being retried is a 409; so is one to a disabled endpoint. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { params: DeliveryParamsSchema },
  responses: {
    202: { description: 'Scheduled.', content: { 'application/json': { schema: ScheduledDeliverySchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, 'conflict'),
  },
});

export type UpdateWebhookEndpointRoute = typeof updateWebhookEndpoint;
export type TestWebhookEndpointRoute = typeof testWebhookEndpoint;
export type RedeliverWebhookRoute = typeof redeliverWebhook;
export type CreateWebhookEndpointRoute = typeof createWebhookEndpoint;
export type ListWebhookEndpointsRoute = typeof listWebhookEndpoints;
export type GetWebhookEndpointRoute = typeof getWebhookEndpoint;
export type DeleteWebhookEndpointRoute = typeof deleteWebhookEndpoint;
export type ListWebhookAttemptsRoute = typeof listWebhookAttempts;
export type RotateWebhookSecretRoute = typeof rotateWebhookSecret;
