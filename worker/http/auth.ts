import type { Context, MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Scope, Tenant } from '../../db/schema.ts';
import type { Acting, Actor } from '../db/audit.ts';
import { authenticateApiKey, type CredentialStatus } from '../db/credentials.ts';
import { holdsScope, scopesBeyond } from '../domain/scopes.ts';
import { looksLikeApiKey, sha256Hex } from '../domain/secrets.ts';
import type { AppEnv } from '../env.ts';
import { authenticateAccessToken, looksLikeAccessToken } from './access-token.ts';
import { ProblemError } from './problem.ts';

export interface TenantPrincipal {
  kind: 'tenant';
  tenant: Tenant;
  credential: { type: 'api_key' | 'partner_client'; id: string; scopes: Scope[] };
}
export type Principal = { kind: 'operator' } | TenantPrincipal;

/** The protection space named in every `WWW-Authenticate` challenge, Bearer (API) and Basic (`/oauth/token`). */
export const REALM = 'service-culture';

export function unauthorized(detail: string, error?: 'invalid_token'): ProblemError {
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

const API_KEY_REFUSALS: Partial<Record<CredentialStatus, string>> = {
  revoked: 'The API key has been revoked.',
  expired: 'The API key has expired.',
};

async function authenticateKey(c: Context<AppEnv>, token: string): Promise<TenantPrincipal> {
  const { status, owner } = await authenticateApiKey(c.get('db'), await sha256Hex(token), c.get('requestId'));
  if (!owner) throw unauthorized(API_KEY_REFUSALS[status] ?? 'The API key is not valid.', 'invalid_token');
  const { tenant, apiKey } = owner;
  return { kind: 'tenant', tenant, credential: { type: 'api_key', id: apiKey.id, scopes: apiKey.scopes } };
}

/**
 * Tenant routes: an API key (`sck_…`) or a partner's OAuth access token (a JWT). Either way the
 * check is the request's first database round trip, and it returns the tenant too.
 */
export function tenantAuth(): MiddlewareHandler<AppEnv> {
  return async function tenantAuth(c, next) {
    const token = bearerToken(c.req.header('Authorization'));
    let principal: TenantPrincipal;
    if (looksLikeApiKey(token)) principal = await authenticateKey(c, token);
    else if (looksLikeAccessToken(token)) principal = await authenticateAccessToken(c, token);
    else throw unauthorized('The token is neither an API key (sck_…) nor an access token.', 'invalid_token');
    c.set('principal', principal);
    await next();
  };
}

/** The calling tenant; only valid behind `tenantAuth`. */
export function tenantOf(principal: Principal | undefined): TenantPrincipal {
  if (principal?.kind !== 'tenant') throw new Error('tenantOf() used on a route without tenantAuth()');
  return principal;
}

/** Who did it, as the audit log records it: a key id or client id, never a secret. */
export function actorOf(principal: Principal | undefined): Actor {
  if (principal?.kind !== 'tenant') return { actorType: 'operator', actorId: null };
  return { actorType: principal.credential.type, actorId: principal.credential.id };
}

/** Who acts in this request and the request's id: what a change records in the audit log. */
export function actingOf(c: Context<AppEnv>): Acting {
  return { actor: actorOf(c.get('principal')), requestId: c.get('requestId'), clientRequestId: c.get('clientRequestId') };
}

/**
 * Refuses to give a new credential (`what`: "A key", "A partner client") a scope the caller lacks,
 * so no credential can mint a stronger one.
 */
export function requireGrantable(principal: TenantPrincipal, scopes: readonly Scope[], what: string): void {
  const excess = scopesBeyond(principal.credential.scopes, scopes);
  if (excess.length > 0) {
    throw new ProblemError('forbidden', `${what} cannot have scopes the caller lacks: ${excess.join(', ')}.`);
  }
}

/** Refuses a tenant credential without `scope` (see `holdsScope`: admin implies all but one). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const { scopes } = tenantOf(c.get('principal')).credential;
    if (!holdsScope(scopes, scope)) {
      throw new ProblemError(
        'forbidden',
        `This operation needs the '${scope}' scope; the credential has: ${scopes.join(', ') || 'none'}.`,
      );
    }
    await next();
  };
}

/**
 * What a tenant route declares, in code and in the OpenAPI document at once: the credentials it
 * accepts and the scope it needs (none: any valid credential of the tenant).
 */
export function tenantSecurity(scope?: Scope): { security: Record<string, string[]>[]; middleware: MiddlewareHandler<AppEnv>[] } {
  const scopes = scope ? [scope] : [];
  return {
    security: [{ apiKey: scopes }, { partnerOAuth: scopes }],
    middleware: scope ? [tenantAuth(), requireScope(scope)] : [tenantAuth()],
  };
}
