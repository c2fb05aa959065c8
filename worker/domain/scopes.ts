import { SCOPES, type Scope } from '../../db/schema.ts';

/**
 * An OAuth `scope` string (RFC 6749 §3.3: names separated by spaces) as a list without repeats;
 * undefined when it names a scope this API does not have.
 */
export function parseScope(value: string): Scope[] | undefined {
  const names = [...new Set(value.split(' ').filter((name) => name !== ''))];
  return names.every((name): name is Scope => (SCOPES as readonly string[]).includes(name)) ? names : undefined;
}

/**
 * Writing employees' answers and reading figures exclude each other: a credential that could do
 * both could pad a group of 1 with 4 answers it knows, read the group's figures at n = 5 and
 * subtract. `admin` reads every figure, so it neither implies nor may be held with the writing scope.
 */
export const INTERNAL_WRITE: Scope = 'internal-ratings:write';
const READS_FIGURES: readonly Scope[] = ['reports:read', 'admin'];

/** The scopes of `scopes` that may not be held together with another of them, or none. */
export function conflictingScopes(scopes: readonly Scope[]): Scope[] {
  return scopes.includes(INTERNAL_WRITE) && scopes.some((scope) => READS_FIGURES.includes(scope))
    ? [INTERNAL_WRITE, ...scopes.filter((scope) => READS_FIGURES.includes(scope))]
    : [];
}

/**
 * Whether a credential holding `held` may act with `scope`: `admin` implies every scope but
 * `internal-ratings:write`, and a credential that holds conflicting scopes (which can be stored
 * only by going around the API) is refused on every route that needs a scope.
 */
export function holdsScope(held: readonly Scope[], scope: Scope): boolean {
  if (conflictingScopes(held).length > 0) return false;
  return held.includes(scope) || (scope !== INTERNAL_WRITE && held.includes('admin'));
}

/**
 * Scopes in `requested` that `held` may not grant or pass on. `admin` may grant every scope, the
 * internal-rating writing one too (to a credential without reading scopes: see `conflictingScopes`).
 */
export function scopesBeyond(held: readonly Scope[], requested: readonly Scope[]): Scope[] {
  return held.includes('admin') ? [] : requested.filter((scope) => !held.includes(scope));
}

/** The scope that may grant every other (`scopesBeyond`). */
export const GRANTS_ALL: Scope = 'admin';

/**
 * `holdsScope(held, scope)` as data, for the database to check where it reads the credential (the
 * request's one round trip): held must meet `anyOf` and not meet both halves of `notBoth`.
 */
export function scopeRule(scope: Scope): { anyOf: Scope[]; notBoth: [Scope[], Scope[]] } {
  return { anyOf: scope === INTERNAL_WRITE ? [scope] : [scope, 'admin'], notBoth: [[INTERNAL_WRITE], [...READS_FIGURES]] };
}
