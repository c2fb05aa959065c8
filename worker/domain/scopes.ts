import { SCOPES, type Scope } from '../../db/schema.ts';

/**
 * An OAuth `scope` string (RFC 6749 §3.3: names separated by spaces) as a list without repeats;
 * undefined when it names a scope this API does not have.
 */
export function parseScope(value: string): Scope[] | undefined {
  const names = [...new Set(value.split(' ').filter((name) => name !== ''))];
  return names.every((name): name is Scope => (SCOPES as readonly string[]).includes(name)) ? names : undefined;
}

/** Scopes in `requested` that `held` does not cover (`admin` covers every scope). */
export function scopesBeyond(held: readonly Scope[], requested: readonly Scope[]): Scope[] {
  return held.includes('admin') ? [] : requested.filter((scope) => !held.includes(scope));
}
