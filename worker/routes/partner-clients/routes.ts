import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../../db/schema.ts';
import { resourceRoutes } from '../resource.ts';
import { GrantedScopesSchema, text, timestamp, uuid } from '../../http/schemas.ts';

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

export const {
  create: createPartnerClient,
  list: listPartnerClients,
  get: getPartnerClient,
  remove: revokePartnerClient,
} = resourceRoutes({
  path: '/v1/partner-clients',
  tags,
  scope: 'admin',
  id: 'The partner client id (its `client_id`).',
  item: PartnerClientSchema,
  page: 'PartnerClientPage',
  create: {
    operationId: 'createPartnerClient',
    summary: 'Register a partner client',
    description:
      'Registers a partner app that obtains access tokens at `POST /oauth/token` (OAuth 2.0 client credentials). ' +
      'The response shows the client secret once. Needs the `admin` scope.',
    body: CreatePartnerClientSchema,
    created: { description: 'The partner client and its secret.', location: 'The new partner client.', schema: IssuedPartnerClientSchema },
  },
  list: {
    operationId: 'listPartnerClients',
    summary: 'List partner clients',
    description: 'Newest first, revoked ones included. Never shows a secret. Needs the `admin` scope.',
    response: 'A page of partner clients.',
  },
  get: { operationId: 'getPartnerClient', summary: 'Get a partner client', description: 'Needs the `admin` scope.', response: 'The partner client.' },
  remove: {
    operationId: 'revokePartnerClient',
    summary: 'Revoke a partner client',
    description:
      'The client gets no more tokens, and the tokens it holds are refused from the next request on. ' +
      'Revoking a revoked client changes nothing. Needs the `admin` scope.',
    responses: { 200: { description: 'The revoked partner client.', content: { 'application/json': { schema: PartnerClientSchema } } } },
  },
});

export type CreatePartnerClientRoute = typeof createPartnerClient;
export type ListPartnerClientsRoute = typeof listPartnerClients;
export type GetPartnerClientRoute = typeof getPartnerClient;
export type RevokePartnerClientRoute = typeof revokePartnerClient;
