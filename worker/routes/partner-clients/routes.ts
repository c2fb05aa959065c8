import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../../db/schema.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { IDEMPOTENCY_PROBLEMS, IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { PageQuerySchema, pageSchema } from '../../http/pagination.ts';
import {
  BY_ID_PROBLEMS,
  JSON_BODY_PROBLEMS,
  problemResponses,
  QUERY_PROBLEMS,
  SCOPED_PROBLEMS,
} from '../../http/problem.ts';
import { GrantedScopesSchema, idParamsSchema, text, timestamp, uuid } from '../../http/schemas.ts';

const tags = ['Partner clients'];

export const PartnerClientSchema = z
  .object({
    id: uuid(),
    clientId: uuid().openapi({ description: 'The OAuth `client_id`: the same as `id`.' }),
    name: z.string().openapi({ example: 'Helpdesk' }),
    displayPrefix: z
      .string()
      .openapi({ description: 'The start of the client secret, to tell clients apart.', example: 'scs_Q0d2m8Jc' }),
    scopes: z.array(z.enum(SCOPES)).openapi({ description: 'The most its access tokens may carry.' }),
    createdAt: timestamp,
    lastUsedAt: timestamp
      .nullable()
      .openapi({ description: 'When it last obtained an access token; recorded at most once a minute.' }),
    revokedAt: timestamp.nullable().openapi({ description: 'After this it gets no tokens, and its tokens are refused.' }),
  })
  .openapi('PartnerClient', { description: 'A partner app, without its secret.' });

export const IssuedPartnerClientSchema = PartnerClientSchema.extend({
  clientSecret: z.string().nullable().openapi({
    description:
      'The OAuth `client_secret`. Shown only in this response: store it now, it cannot be retrieved again. Null in ' +
      'a replay (`Idempotent-Replayed: true`): the secret is never stored.',
    example: 'scs_Q0d2m8JcR1yWbLh5uZ7sNfEo3kTq9vXa',
  }),
}).openapi('IssuedPartnerClient', { description: 'A new partner client with its secret, shown once.' });

const CreatePartnerClientSchema = z
  .strictObject({
    name: text().trim().min(1).max(100).openapi({ example: 'Helpdesk' }),
    scopes: GrantedScopesSchema,
  })
  .openapi('CreatePartnerClient');

const ClientParamsSchema = idParamsSchema('The partner client id (its `client_id`).');

export const createPartnerClient = createRoute({
  method: 'post',
  path: '/v1/partner-clients',
  operationId: 'createPartnerClient',
  summary: 'Register a partner client',
  description:
    'Registers a partner app that obtains access tokens at `POST /oauth/token` (OAuth 2.0 client credentials). ' +
    'The response shows the client secret once. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: CreatePartnerClientSchema } } },
  },
  responses: {
    201: {
      description: 'The partner client and its secret.',
      headers: z.object({ Location: z.string().openapi({ description: 'The new partner client.' }) }),
      content: { 'application/json': { schema: IssuedPartnerClientSchema } },
    },
    ...problemResponses(SCOPED_PROBLEMS, JSON_BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS),
  },
});

export const listPartnerClients = createRoute({
  method: 'get',
  path: '/v1/partner-clients',
  operationId: 'listPartnerClients',
  summary: 'List partner clients',
  description: 'Newest first, revoked ones included. Never shows a secret. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { query: PageQuerySchema },
  responses: {
    200: {
      description: 'A page of partner clients.',
      content: { 'application/json': { schema: pageSchema(PartnerClientSchema, 'PartnerClientPage') } },
    },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export const getPartnerClient = createRoute({
  method: 'get',
  path: '/v1/partner-clients/{id}',
  operationId: 'getPartnerClient',
  summary: 'Get a partner client',
  description: 'Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { params: ClientParamsSchema },
  responses: {
    200: { description: 'The partner client.', content: { 'application/json': { schema: PartnerClientSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export const revokePartnerClient = createRoute({
  method: 'delete',
  path: '/v1/partner-clients/{id}',
  operationId: 'revokePartnerClient',
  summary: 'Revoke a partner client',
  description:
    'The client gets no more tokens, and the tokens it holds are refused from the next request on. ' +
    'Revoking a revoked client changes nothing. Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: { params: ClientParamsSchema },
  responses: {
    200: { description: 'The revoked partner client.', content: { 'application/json': { schema: PartnerClientSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export type CreatePartnerClientRoute = typeof createPartnerClient;
export type ListPartnerClientsRoute = typeof listPartnerClients;
export type GetPartnerClientRoute = typeof getPartnerClient;
export type RevokePartnerClientRoute = typeof revokePartnerClient;
