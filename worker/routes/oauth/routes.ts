import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../../db/schema.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../domain/access-tokens.ts';
import { REALM } from '../../http/auth.ts';
import { problemResponses, SERVER_PROBLEMS } from '../../http/problem.ts';
import { CLIENT_CREDENTIALS, FORM_MEDIA_TYPE, OAUTH_ERRORS } from './token-request.ts';
import { integer, uuid } from '../../http/schemas.ts';

const tags = ['OAuth'];

const TokenRequestSchema = z
  .object({
    grant_type: z.enum([CLIENT_CREDENTIALS]),
    scope: z.string().max(200).optional().openapi({
      description: "Space-separated scopes, at most the client's (`admin` counts as all). Omit for all the client's scopes.",
      example: 'ratings:write',
    }),
    client_id: uuid().optional().openapi({ description: 'Body authentication, instead of HTTP Basic.' }),
    // Issued secrets have 36 characters; the handler parses the form itself, so this documents only.
    client_secret: z.string().max(64).optional().openapi({ description: 'Body authentication, instead of HTTP Basic.' }),
  })
  .openapi('TokenRequest', { description: 'RFC 6749 §4.4.2 access token request.' });

export const TokenResponseSchema = z
  .object({
    access_token: z.string().openapi({ description: 'A JWT (ES256); send it as `Authorization: Bearer …`.' }),
    token_type: z.literal('Bearer'),
    expires_in: integer().openapi({ description: 'Seconds until the token expires.', example: ACCESS_TOKEN_TTL_SECONDS }),
    scope: z.string().openapi({ description: 'The scopes granted, space-separated.', example: 'ratings:write' }),
  })
  .openapi('TokenResponse');

const OAuthErrorSchema = z
  .object({
    error: z.enum(OAUTH_ERRORS),
    error_description: z.string().openapi({ example: 'Client authentication failed.' }),
  })
  .openapi('OAuthError', { description: 'An RFC 6749 §5.2 error response.' });

const PublicJwkSchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: z.string(),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  })
  .openapi('PublicJwk');

/** Served by a plain handler, not `.openapi()`: see index.ts. */
export const issueToken = createRoute({
  method: 'post',
  path: '/oauth/token',
  operationId: 'issueAccessToken',
  summary: 'Get an access token (OAuth 2.0 client credentials)',
  description:
    'RFC 6749 §4.4: a partner client exchanges its credentials — HTTP Basic (`client_id:client_secret`, each ' +
    'form-urlencoded) or `client_id` and `client_secret` in the body, not both — for an access token acting for its ' +
    `tenant, valid ${ACCESS_TOKEN_TTL_SECONDS / 60} minutes. Errors follow RFC 6749 §5.2, not problem+json.`,
  tags,
  // HTTP Basic (client_secret_basic) or nothing at the HTTP level: OpenAPI has no scheme for credentials in
  // a form body (client_secret_post), and a validator holding the document to Basic alone refused those.
  security: [{ partnerClient: [] }, {}],
  request: { body: { required: true, content: { [FORM_MEDIA_TYPE]: { schema: TokenRequestSchema } } } },
  responses: {
    200: {
      description: 'The access token. Not to be cached (`Cache-Control: no-store`).',
      content: { 'application/json': { schema: TokenResponseSchema } },
    },
    400: {
      description: '`invalid_request`, `unsupported_grant_type` or `invalid_scope`.',
      content: { 'application/json': { schema: OAuthErrorSchema } },
    },
    401: {
      description: '`invalid_client`: unknown client, wrong secret, revoked client or no client authentication.',
      headers: { 'WWW-Authenticate': { schema: { type: 'string', example: `Basic realm="${REALM}"` } } },
      content: { 'application/json': { schema: OAuthErrorSchema } },
    },
    ...problemResponses(SERVER_PROBLEMS),
  },
});

export const getJwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  summary: 'The public keys that verify access tokens',
  description:
    'A JSON Web Key Set (RFC 7517). Tokens name their key by `kid`; during a key rotation both the new and the ' +
    'previous key are listed. Cacheable for 5 minutes.',
  tags,
  security: [],
  responses: {
    200: {
      description: 'The key set.',
      content: { 'application/json': { schema: z.object({ keys: z.array(PublicJwkSchema) }).openapi('Jwks') } },
    },
    ...problemResponses('internal'),
  },
});

export type GetJwksRoute = typeof getJwks;

/** The client authentication methods `/oauth/token` accepts (RFC 8414 §2 names, RFC 7591 §2 values). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

const AuthorizationServerMetadataSchema = z
  .object({
    issuer: z.url().openapi({ description: 'Equal to the `iss` of every access token (`JWT_ISSUER`).' }),
    token_endpoint: z.url(),
    jwks_uri: z.url(),
    grant_types_supported: z.array(z.enum([CLIENT_CREDENTIALS])),
    // Required by RFC 8414 §2, empty: there is no authorization endpoint, so no response type.
    response_types_supported: z.array(z.string()).max(0),
    token_endpoint_auth_methods_supported: z.array(z.enum(TOKEN_ENDPOINT_AUTH_METHODS)),
    scopes_supported: z.array(z.enum(SCOPES)),
    service_documentation: z.url(),
  })
  .openapi('AuthorizationServerMetadata', { description: 'RFC 8414 OAuth 2.0 authorization server metadata.' });

export const getAuthorizationServerMetadata = createRoute({
  method: 'get',
  path: '/.well-known/oauth-authorization-server',
  operationId: 'getAuthorizationServerMetadata',
  summary: 'OAuth 2.0 authorization server metadata',
  description:
    'RFC 8414: where OAuth client libraries discover the token endpoint, the key set and what is supported. ' +
    'The URLs are built from `issuer`, the origin this API is deployed at. Cacheable for 5 minutes.',
  tags,
  security: [],
  responses: {
    200: {
      description: 'The metadata.',
      content: { 'application/json': { schema: AuthorizationServerMetadataSchema } },
    },
    ...problemResponses('internal'),
  },
});

export type GetAuthorizationServerMetadataRoute = typeof getAuthorizationServerMetadata;
