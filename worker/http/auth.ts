import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { ApiKeyScope, Tenant } from '../../db/schema.ts';
import { findLiveApiKey } from '../db/tenants.ts';
import { looksLikeApiKey, sha256Hex } from '../domain/secrets.ts';
import type { AppEnv } from '../env.ts';
import { ProblemError } from './problem.ts';

export type Principal =
  | { kind: 'operator' }
  | { kind: 'tenant'; tenant: Tenant; credential: { type: 'api-key'; id: string; scopes: ApiKeyScope[] } };

const REALM = 'service-culture';

function unauthorized(detail: string, error?: 'invalid_token'): ProblemError {
  // RFC 6750 §3: the challenge says which scheme to use and, for a bad token, why it failed.
  const challenge = `Bearer realm="${REALM}"${error ? `, error="${error}"` : ''}`;
  return new ProblemError('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized('Send credentials in the Authorization header: "Bearer <token>".');
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_token');
  return match[1]!;
}

/** The operator's routes: a bearer token equal to the `OPERATOR_TOKEN` secret (constant-time compare). */
export function operatorAuth(): MiddlewareHandler<AppEnv> {
  return async function operatorAuth(c, next) {
    const token = bearerToken(c.req.header('Authorization'));
    const expected = c.env.OPERATOR_TOKEN;
    if (!expected || !(await timingSafeEqual(token, expected))) {
      throw unauthorized('The token is not the operator token.', 'invalid_token');
    }
    c.set('principal', { kind: 'operator' });
    await next();
  };
}

/** Tenant routes: a live API key. The lookup is the request's first database round trip. */
export function tenantAuth(): MiddlewareHandler<AppEnv> {
  return async function tenantAuth(c, next) {
    const token = bearerToken(c.req.header('Authorization'));
    const owner = looksLikeApiKey(token) ? await findLiveApiKey(c.get('db'), await sha256Hex(token)) : undefined;
    if (!owner) throw unauthorized('The API key is unknown, revoked or expired.', 'invalid_token');
    c.set('principal', {
      kind: 'tenant',
      tenant: owner.tenant,
      credential: { type: 'api-key', id: owner.apiKey.id, scopes: owner.apiKey.scopes },
    });
    await next();
  };
}

/** The calling tenant; only valid behind `tenantAuth`. */
export function tenantOf(principal: Principal | undefined): Extract<Principal, { kind: 'tenant' }> {
  if (principal?.kind !== 'tenant') throw new Error('tenantOf() used on a route without tenantAuth()');
  return principal;
}

/** Refuses a tenant credential without `scope` (admin implies every scope). */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const { scopes } = tenantOf(c.get('principal')).credential;
    if (!scopes.includes(scope) && !scopes.includes('admin')) {
      throw new ProblemError('forbidden', `This operation needs the '${scope}' scope; the credential has: ${scopes.join(', ') || 'none'}.`);
    }
    await next();
  };
}
