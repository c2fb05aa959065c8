import type { CredentialClaim } from '../db/credentials.ts';
import {
  type AccessTokenClaims,
  signingKeys,
  type TokenIssuer,
  TokenRefused,
  verifyAccessToken,
} from '../domain/access-tokens.ts';
import type { Env } from '../env.ts';
import { unauthorized } from './auth.ts';

/** A compact JWS: three base64url parts; the signature may be empty (`alg: none`), to be refused by name. */
export function looksLikeAccessToken(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

export async function tokenIssuer(env: Env): Promise<TokenIssuer> {
  return { keys: await signingKeys(env.JWT_SIGNING_KEYS), issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}

/**
 * A partner's access token, verified locally (no round trip): the claim it makes. The request's first
 * round trip then checks the client is still live and intersects the token's scopes with the client's
 * current ones (`authenticate_request`), so a revoked client's token, or a scope removed from the
 * client, stops at once.
 */
export async function accessTokenClaim(env: Env, token: string): Promise<CredentialClaim> {
  let claims: AccessTokenClaims;
  try {
    claims = await verifyAccessToken(await tokenIssuer(env), token);
  } catch (error) {
    if (error instanceof TokenRefused) throw unauthorized(error.message, 'invalid_token');
    throw error;
  }
  return { type: 'partner_client', tenantId: claims.tenantId, id: claims.clientId, tokenScopes: claims.scopes };
}
