import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../../db/schema.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { IDEMPOTENCY_PROBLEMS, IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { resourceRoutes } from '../resource.ts';
import { GrantedScopesSchema, integer, text, timestamp, uuid } from '../../http/schemas.ts';

const tags = ['API keys'];

/** Longest lifetime a new key may be given. */
export const MAX_KEY_LIFETIME_MS = 2 * 365 * 24 * 60 * 60 * 1000;
export const DEFAULT_GRACE_SECONDS = 24 * 60 * 60;
export const MAX_GRACE_SECONDS = 7 * 24 * 60 * 60;

export const ApiKeySchema = z
  .object({
    id: uuid(),
    name: z.string().openapi({ example: 'Helpdesk integration' }),
    displayPrefix: z.string().openapi({ description: 'The start of the secret, to tell keys apart.', example: 'sck_3kTq9vXa' }),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().openapi({ description: 'Recorded at most once a minute.' }),
    expiresAt: timestamp.nullable().openapi({ description: 'After this the key is refused; null: it does not expire.' }),
    revokedAt: timestamp.nullable(),
    rotatedFromId: uuid().nullable().openapi({ description: 'The key this one replaced by rotation.' }),
  })
  .openapi('ApiKey', { description: 'An API key, without its secret.' });

/**
 * A new API key with its secret; replayable under an Idempotency-Key, whose replay never carries the
 * secret. One schema, not an extension of one where `secret` is a required string: the document's
 * `allOf` of the two could never validate a replay.
 */
export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z
    .string()
    .nullable()
    .openapi({
      description:
        'The API key. Shown only in this response: store it now, it cannot be retrieved again. Null in a replay ' +
        '(`Idempotent-Replayed: true`): the secret is never stored.',
      example: 'sck_3kTq9vXaQ0d2m8JcR1yWbLh5uZ7sNfEo',
    }),
}).openapi('CreatedApiKey', { description: 'A new API key with its secret, shown once.' });

const CreateApiKeySchema = z
  .strictObject({
    name: text().trim().min(1).max(100).openapi({ example: 'Helpdesk integration' }),
    scopes: GrantedScopesSchema,
    expiresAt: timestamp
      .refine((value) => Date.parse(value) > Date.now(), { message: 'Must be in the future' })
      .refine((value) => Date.parse(value) <= Date.now() + MAX_KEY_LIFETIME_MS, { message: 'Must be at most 2 years ahead' })
      .optional()
      .openapi({ description: 'When the key stops working: in the future, at most 2 years ahead. Omit for no expiry.' }),
  })
  .openapi('CreateApiKey');

/** A rotation's optional body: how long the old secret `keeps` working beside the new one. */
export function rotationSchema(keeps: string) {
  return z.strictObject({
    gracePeriodSeconds: integer()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .optional()
      .openapi({
        description: `How long the old secret ${keeps}, 0 to ${MAX_GRACE_SECONDS} seconds (7 days).`,
        default: DEFAULT_GRACE_SECONDS,
        example: 3600,
      }),
  });
}

const RotateApiKeySchema = rotationSchema('keeps working').openapi('RotateApiKey');

export const { params: KeyParamsSchema, create: createApiKey, list: listApiKeys, get: getApiKey, remove: revokeApiKey } = resourceRoutes({
  path: '/v1/api-keys',
  tags,
  scope: 'admin',
  id: 'The API key id.',
  item: ApiKeySchema,
  page: 'ApiKeyPage',
  create: {
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description:
      "Issues a key for the caller's tenant and shows its secret once. Its scopes must be among the caller's own. " +
      'Needs the `admin` scope.',
    body: CreateApiKeySchema,
    created: { description: 'The key, with its secret.', location: 'The new key.', schema: CreatedApiKeySchema },
  },
  list: {
    operationId: 'listApiKeys',
    summary: 'List API keys',
    description: "The tenant's keys, newest first, including revoked and expired ones. Needs the `admin` scope.",
    response: 'A page of keys.',
  },
  get: { operationId: 'getApiKey', summary: 'Get an API key', description: 'Needs the `admin` scope.', response: 'The key.' },
  remove: {
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description:
      'The key is refused from the next request on. Revoking a revoked key changes nothing and answers the same. ' +
      'A caller may revoke the very key it calls with. Needs the `admin` scope.',
    responses: { 200: { description: 'The revoked key.', content: { 'application/json': { schema: ApiKeySchema } } } },
  },
});

export const rotateApiKey = createRoute({
  method: 'post',
  path: '/v1/api-keys/{id}/rotate',
  operationId: 'rotateApiKey',
  summary: 'Rotate an API key',
  description:
    'Issues a new key with the same name, scopes and expiry, and shows its secret once. The old key keeps working ' +
    'for the grace period (or until its own expiry, if sooner), then is refused. A revoked or expired key cannot ' +
    'be rotated. The body is optional. Needs the `admin` scope. Send an `Idempotency-Key` so that a retry cannot ' +
    'rotate twice; a replay shows the new key without its secret.',
  tags,
  ...tenantSecurity('admin'),
  request: {
    params: KeyParamsSchema,
    headers: IdempotencyHeadersSchema,
    body: { required: false, content: { 'application/json': { schema: RotateApiKeySchema } } },
  },
  responses: {
    201: {
      description: 'The new key, with its secret.',
      headers: z.object({ Location: z.string().openapi({ description: 'The new key.' }) }),
      content: { 'application/json': { schema: CreatedApiKeySchema } },
    },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS, 'conflict'),
  },
});

export type CreateApiKeyRoute = typeof createApiKey;
export type ListApiKeysRoute = typeof listApiKeys;
export type GetApiKeyRoute = typeof getApiKey;
export type RevokeApiKeyRoute = typeof revokeApiKey;
export type RotateApiKeyRoute = typeof rotateApiKey;
