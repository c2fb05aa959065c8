import { z } from 'zod';
import { SCOPES, type Scope } from '../../../db/schema.ts';
import { parseScope } from '../../domain/scopes.ts';
import { looksLikeClientSecret } from '../../domain/secrets.ts';
import { uuid } from '../../http/schemas.ts';

/** The RFC 6749 §5.2 error codes this server answers with. */
export const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

/**
 * A refused token request, answered as RFC 6749 §5.2 JSON rather than problem+json: OAuth client
 * libraries read `error`. Descriptions stay within §5.2's characters (no `"` or `\`) and never
 * echo the request.
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly code: OAuthErrorCode,
    description: string,
  ) {
    super(description);
  }

  /** §5.2: a failed client authentication is 401, everything else 400. */
  get status(): 400 | 401 {
    return this.code === 'invalid_client' ? 401 : 400;
  }
}

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
export const CLIENT_CREDENTIALS = 'client_credentials' as const;

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  /** Undefined: every scope the client has. */
  scopes?: Scope[];
}

const ClientIdSchema = uuid();

export const clientAuthFailed = () => new OAuthError('invalid_client', 'Client authentication failed.');

const formDecode = (value: string) => decodeURIComponent(value.replaceAll('+', ' '));

/** §2.3.1: `Basic base64(client_id:client_secret)`, each form-urlencoded first; undefined if malformed. */
function basicCredentials(authorization: string): [string, string] | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization)?.[1];
  if (encoded === undefined) return undefined;
  try {
    const decoded = atob(encoded);
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
  } catch {
    return undefined; // not base64, or a bad %-escape
  }
}

export interface TokenRequestInput {
  contentType: string | undefined;
  body: string;
  authorization: string | undefined;
}

/**
 * Reads a client credentials token request (RFC 6749 §4.4.2) and checks everything that needs no
 * database: the body's media type and parameters, how the client authenticates, the scope names.
 */
export function parseTokenRequest({ contentType, body, authorization }: TokenRequestInput): TokenRequest {
  if (contentType?.split(';')[0]!.trim().toLowerCase() !== FORM_MEDIA_TYPE) {
    throw new OAuthError('invalid_request', `Send the parameters as ${FORM_MEDIA_TYPE}.`);
  }
  const params = new URLSearchParams(body);
  // §3.1: no parameter may appear twice; §3.2: one without a value counts as absent.
  if (new Set(params.keys()).size < [...params.keys()].length) {
    throw new OAuthError('invalid_request', 'A parameter appears more than once.');
  }
  const param = (name: string) => params.get(name) || undefined;

  const grantType = param('grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
  if (grantType !== CLIENT_CREDENTIALS) {
    throw new OAuthError('unsupported_grant_type', `Only grant_type=${CLIENT_CREDENTIALS} is supported.`);
  }

  const bodyId = param('client_id');
  const bodySecret = param('client_secret');
  if (authorization !== undefined && (bodyId !== undefined || bodySecret !== undefined)) {
    throw new OAuthError(
      'invalid_request',
      'Authenticate the client one way only: HTTP Basic or client_id and client_secret in the body.',
    );
  }
  const credentials = authorization !== undefined ? basicCredentials(authorization) : [bodyId, bodySecret];
  if (credentials === undefined) {
    throw new OAuthError('invalid_client', 'The Authorization header must be Basic base64(client_id:client_secret).');
  }
  const [clientId, clientSecret] = credentials;
  if (clientId === undefined || clientSecret === undefined) {
    throw new OAuthError(
      'invalid_client',
      'Authenticate the client with HTTP Basic or with client_id and client_secret in the body.',
    );
  }
  // Neither can match a client, so no round trip is spent on them.
  if (!ClientIdSchema.safeParse(clientId).success || !looksLikeClientSecret(clientSecret)) throw clientAuthFailed();

  const scope = param('scope');
  const scopes = scope === undefined ? undefined : parseScope(scope);
  if (scope !== undefined && (scopes === undefined || scopes.length === 0)) {
    throw new OAuthError('invalid_scope', `The scope parameter must name scopes among: ${SCOPES.join(' ')}.`);
  }
  return { clientId, clientSecret, ...(scopes ? { scopes } : {}) };
}
