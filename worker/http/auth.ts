import type { Context, MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Scope, Tenant } from '../../db/schema.ts';
import type { Acting, Actor } from '../db/audit.ts';
import type { Lead } from '../db/client.ts';
import { withLead } from '../db/client.ts';
import {
  auditRefusedCredential,
  authenticateApiKey,
  authenticated,
  authenticationStatement,
  type CredentialClaim,
  type CredentialStatus,
  type Refusal,
  refusalOf,
  type ScopeNeeds,
} from '../db/credentials.ts';
import { GRANTS_ALL, holdsScope, scopeRule, scopesBeyond } from '../domain/scopes.ts';
import { parseApiKey, sha256Hex } from '../domain/secrets.ts';
import type { AppEnv } from '../env.ts';
import { accessTokenClaim, looksLikeAccessToken } from './access-token.ts';
import { ProblemError, problemResponse } from './problem.ts';

export interface TenantPrincipal {
  kind: 'tenant';
  /**
   * Its `id` is known from the credential at once; the rest of the row, like `credential.scopes`,
   * once the request's first database round trip has answered (reading it earlier throws).
   */
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

/** A key issued before keys named their tenant: looked up by its hash in a round trip of its own. */
async function authenticateUnaddressedKey(c: Context<AppEnv>, token: string): Promise<TenantPrincipal> {
  const { status, owner } = await authenticateApiKey(c.get('db'), await sha256Hex(token), c.get('requestId'), c.get('clientRequestId'));
  if (!owner) throw unauthorized(API_KEY_REFUSALS[status] ?? 'The API key is not valid.', 'invalid_token');
  const { tenant, apiKey } = owner;
  return { kind: 'tenant', tenant, credential: { type: 'api_key', id: apiKey.id, scopes: apiKey.scopes } };
}

const REFUSALS: Record<CredentialClaim['type'], Record<'unknown' | 'revoked' | 'expired', string>> = {
  api_key: { unknown: 'The API key is not valid.', revoked: API_KEY_REFUSALS.revoked!, expired: API_KEY_REFUSALS.expired! },
  partner_client: {
    unknown: 'The partner client does not exist.',
    revoked: 'The partner client has been revoked.',
    expired: 'The partner client does not exist.',
  },
};

/** The tenant row before the database has answered: its id only; reading more is a bug, said at once. */
function tenantToCome(id: string): Tenant {
  return new Proxy({ id } as Tenant, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) {
        throw new Error(`tenant.${key} read before the request's first database round trip answered`);
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * The authentication of a request whose credential names its tenant and id (an API key, an access
 * token): the principal exists at once, with the tenant id and credential id; what only the database
 * knows (the tenant row, the scopes the credential may use now) arrives with the request's first round
 * trip, which `authenticate_request` leads (see `withLead`). Scope requirements are added before it leaves.
 */
class Authentication implements Lead {
  readonly principal: TenantPrincipal;
  refusal?: { problem: ProblemError; reason: Refusal['reason'] };
  /** Sends the statement alone unless a round trip has carried it (set by `tenantAuth`; see `withLead`). */
  settle: () => Promise<boolean> = async () => true;
  #needs: ScopeNeeds = { grantsAll: GRANTS_ALL };
  #route?: Scope;
  #grantee?: string;
  #scopes?: Scope[];

  constructor(readonly claim: CredentialClaim) {
    const scopes = () => {
      if (!this.#scopes) throw new Error("credential.scopes read before the request's first database round trip answered");
      return this.#scopes;
    };
    this.principal = { kind: 'tenant', tenant: tenantToCome(claim.tenantId), credential: { type: claim.type, id: claim.id, get scopes() { return scopes(); } } };
  }

  get settled(): boolean {
    return this.#scopes !== undefined || this.refusal !== undefined;
  }

  require(scope: Scope): void {
    this.#route = scope;
    Object.assign(this.#needs, scopeRule(scope));
  }

  grant(scopes: readonly Scope[], what: string): void {
    this.#grantee = what;
    this.#needs.grants = scopes;
  }

  statement() {
    return authenticationStatement(this.claim, this.#needs);
  }

  accept(rows: Record<string, unknown>[]): void {
    const { tenant, scopes } = authenticated(rows);
    Object.assign(this.principal.tenant, tenant);
    this.#scopes = scopes;
  }

  refuse(error: unknown): ProblemError | undefined {
    const refusal = refusalOf(error);
    if (!refusal) return undefined;
    const problem =
      refusal.status === 401
        ? unauthorized(REFUSALS[this.claim.type][refusal.reason], 'invalid_token')
        : refusal.reason === 'scope'
          ? scopeRefusal(this.#route!, refusal.scopes)
          : new ProblemError('forbidden', `${this.#grantee} cannot have scopes the caller lacks: ${refusal.scopes.join(', ')}.`);
    this.refusal = { problem, reason: refusal.reason };
    return problem;
  }
}

/** The pending authentication of a principal, while its request runs. */
const authentications = new WeakMap<TenantPrincipal, Authentication>();

async function claimOf(c: Context<AppEnv>, token: string): Promise<CredentialClaim | TenantPrincipal> {
  const key = parseApiKey(token);
  if (key?.address) return { type: 'api_key', tenantId: key.address.tenantId, id: key.address.keyId, secretHash: await sha256Hex(token) };
  if (key) return authenticateUnaddressedKey(c, token);
  if (looksLikeAccessToken(token)) return accessTokenClaim(c.env, token);
  throw unauthorized('The token is neither an API key (sck_…) nor an access token.', 'invalid_token');
}

/**
 * Tenant routes: an API key (`sck_…`) or a partner's OAuth access token (a JWT). The check leads the
 * request's first database round trip, so it costs none of its own; a request that makes none has it
 * sent alone after the handler, and a refusal replaces whatever the handler answered (a bad
 * credential is a 401 before any complaint about the request).
 */
export function tenantAuth(): MiddlewareHandler<AppEnv> {
  return async function tenantAuth(c, next) {
    const claim = await claimOf(c, bearerToken(c.req.header('Authorization')));
    if ('kind' in claim) {
      c.set('principal', claim);
      await next();
      return;
    }
    const authentication = new Authentication(claim);
    const db = c.get('db');
    const led = withLead(db, authentication);
    authentication.settle = led.settle;
    authentications.set(authentication.principal, authentication);
    c.set('principal', authentication.principal);
    c.set('db', led.db);
    await next();
    let answered = true;
    try {
      answered = await led.settle();
    } catch (error) {
      if (!authentication.refusal) throw error;
    }
    if (!answered) {
      // The database did not answer (the response says so): the caller is as unknown as before a lookup.
      c.set('principal', undefined);
      return;
    }
    const { refusal } = authentication;
    if (!refusal) return;
    // The refusal rolled its batch back; a revoked credential's use is still recorded.
    if (refusal.reason === 'revoked') await auditRefusedCredential(db, claim, c.get('requestId'), c.get('clientRequestId'));
    c.set('principal', undefined);
    // Unset first: assigning over a response would keep that response's headers.
    c.res = undefined;
    c.res = problemResponse(c, refusal.problem);
  };
}

/** The calling tenant; only valid behind `tenantAuth`. */
export function tenantOf(principal: Principal | undefined): TenantPrincipal {
  if (principal?.kind !== 'tenant') throw new Error('tenantOf() used on a route without tenantAuth()');
  return principal;
}

/**
 * The calling tenant with its row and scopes, for a handler that reads them and makes no other round
 * trip (which would bring them): the authentication is then the request's one round trip.
 */
export async function settledTenantOf(c: Context<AppEnv>): Promise<TenantPrincipal> {
  const principal = tenantOf(c.get('principal'));
  await authentications.get(principal)?.settle();
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
  const authentication = authentications.get(principal);
  if (authentication && !authentication.settled) return authentication.grant(scopes, what);
  const excess = scopesBeyond(principal.credential.scopes, scopes);
  if (excess.length > 0) {
    throw new ProblemError('forbidden', `${what} cannot have scopes the caller lacks: ${excess.join(', ')}.`);
  }
}

/** Refuses a tenant credential without `scope` (see `holdsScope`: admin implies all but one). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const principal = tenantOf(c.get('principal'));
    const authentication = authentications.get(principal);
    if (authentication) authentication.require(scope);
    else if (!holdsScope(principal.credential.scopes, scope)) throw scopeRefusal(scope, principal.credential.scopes);
    await next();
  };
}

function scopeRefusal(scope: Scope, held: readonly string[]): ProblemError {
  return new ProblemError('forbidden', `This operation needs the '${scope}' scope; the credential has: ${held.join(', ') || 'none'}.`);
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
