import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { TenantPrincipal } from './auth.ts';
import { unauthorized } from './auth.ts';

/** A compact JWS: three base64url parts. */
export function looksLikeAccessToken(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Partner access tokens arrive with the OAuth token endpoint. */
export async function authenticateAccessToken(_c: Context<AppEnv>, _token: string): Promise<TenantPrincipal> {
  throw unauthorized('Access tokens are not accepted yet.', 'invalid_token');
}
