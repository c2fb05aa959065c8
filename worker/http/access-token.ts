import type { Context } from 'hono';
import { partnerClientOfToken } from '../db/partner-clients.ts';
import {
  type AccessTokenClaims,
  signingKeys,
  type TokenIssuer,
  TokenRefused,
  verifyAccessToken,
} from '../domain/access-tokens.ts';
import { scopesBeyond } from '../domain/scopes.ts';
import type { AppEnv, Env } from '../env.ts';
import type { TenantPrincipal } from './auth.ts';
import { unauthorized } from './auth.ts';

/** A compact JWS: three base64url parts; the signature may be empty (`alg: none`), to be refused by name. */
export function looksLikeAccessToken(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export async function tokenIssuer(env: Env): Promise<TokenIssuer> {
  return { keys: await signingKeys(env.JWT_SIGNING_KEYS), issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}

/**
 * A partner's access token: verified locally (no round trip), then the request's first batch checks
 * the client is still live and returns the tenant and the client's current scopes, so a revoked
 * client's token, or a scope removed from the client, stops at once.
 */
export async function authenticateAccessToken(c: Context<AppEnv>, token: string): Promise<TenantPrincipal> {
  let claims: AccessTokenClaims;
  try {
    claims = await verifyAccessToken(await tokenIssuer(c.env), token);
  } catch (error) {
    if (error instanceof TokenRefused) throw unauthorized(error.message, 'invalid_token');
    throw error;
  }
  const holder = await partnerClientOfToken(c.get('db'), claims.tenantId, claims.clientId, c.get('requestId'));
  if (holder.status !== 'active') {
    throw unauthorized(
      holder.status === 'revoked' ? 'The partner client has been revoked.' : 'The partner client does not exist.',
      'invalid_token',
    );
  }
  // The token's scopes as the client holds them now: a scope taken from the client stops working
  // at once, not when the token (issued with it) expires.
  const lost = scopesBeyond(holder.client.scopes, claims.scopes);
  const scopes = claims.scopes.filter((scope) => !lost.includes(scope));
  return {
    kind: 'tenant',
    tenant: holder.tenant,
    credential: { type: 'partner_client', id: holder.client.id, scopes },
  };
}
