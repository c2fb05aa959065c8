import type { RouteHandler, z } from '@hono/zod-openapi';
import type { ErrorHandler, Handler } from 'hono';
import { authenticatePartnerClient } from '../../db/credentials.ts';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken, signingKeys } from '../../domain/access-tokens.ts';
import { scopesBeyond } from '../../domain/scopes.ts';
import { sha256Hex } from '../../domain/secrets.ts';
import type { AppEnv } from '../../env.ts';
import { tokenIssuer } from '../../http/access-token.ts';
import { REALM } from '../../http/auth.ts';
import { handleError } from '../../http/errors.ts';
import { SCOPES } from '../../../db/schema.ts';
import { DOCS_PATH } from '../../http/security-headers.ts';
import {
  type GetAuthorizationServerMetadataRoute,
  type GetJwksRoute,
  getJwks as getJwksRoute,
  issueToken as issueTokenRoute,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenResponseSchema,
} from './routes.ts';
import { CLIENT_CREDENTIALS, clientAuthFailed, OAuthError, parseTokenRequest } from './token-request.ts';

/** RFC 6749 §5.1: token responses, errors included, must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const issueToken: Handler<AppEnv> = async (c) => {
  const request = parseTokenRequest({
    contentType: c.req.header('Content-Type'),
    body: await c.req.text(),
    authorization: c.req.header('Authorization'),
  });
  const { status, client } = await authenticatePartnerClient(
    c.get('db'),
    request.clientId,
    await sha256Hex(request.clientSecret),
    c.get('requestId'),
    c.get('clientRequestId'),
  );
  if (!client) throw status === 'revoked' ? new OAuthError('invalid_client', 'The client has been revoked.') : clientAuthFailed();
  const scopes = request.scopes ?? client.scopes;
  const excess = scopesBeyond(client.scopes, scopes);
  if (excess.length > 0) throw new OAuthError('invalid_scope', `The client does not have these scopes: ${excess.join(' ')}.`);
  const token = await signAccessToken(await tokenIssuer(c.env), { clientId: client.id, tenantId: client.tenantId, scopes });
  const body: z.infer<typeof TokenResponseSchema> = {
    access_token: token,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    scope: scopes.join(' '),
  };
  return c.json(body, 200, NO_STORE);
};

/** The OAuth router's errors: refusals as RFC 6749 §5.2 JSON; the rest (503, 500) as everywhere else. */
export const handleOAuthError: ErrorHandler<AppEnv> = (error, c) => {
  if (!(error instanceof OAuthError)) return handleError(error, c);
  const headers: Record<string, string> = { ...NO_STORE };
  // RFC 9110 §15.5.2: every 401 names the scheme to use.
  if (error.status === 401) headers['WWW-Authenticate'] = `Basic realm="${REALM}"`;
  return c.json({ error: error.code, error_description: error.message }, error.status, headers);
};

export const getJwks: RouteHandler<GetJwksRoute, AppEnv> = async (c) => {
  const { jwks } = await signingKeys(c.env.JWT_SIGNING_KEYS);
  return c.json(jwks, 200, { 'Cache-Control': 'public, max-age=300' });
};

export const getAuthorizationServerMetadata: RouteHandler<GetAuthorizationServerMetadataRoute, AppEnv> = (c) => {
  // RFC 8414 §3.3: `issuer` must equal the URL the metadata was looked up under, so every URL derives from it.
  const issuer = c.env.JWT_ISSUER.replace(/\/+$/, '');
  return c.json(
    {
      issuer: c.env.JWT_ISSUER,
      token_endpoint: `${issuer}${issueTokenRoute.path}`,
      jwks_uri: `${issuer}${getJwksRoute.path}`,
      grant_types_supported: [CLIENT_CREDENTIALS],
      response_types_supported: [] as string[],
      token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
      scopes_supported: [...SCOPES],
      service_documentation: `${issuer}${DOCS_PATH}`,
    },
    200,
    { 'Cache-Control': 'public, max-age=300' },
  );
};
