import { describe, expect, test } from 'vitest';
import { SCOPES, type Scope } from '../../db/schema.ts';
import { holdsScope, scopeRule } from '../../worker/domain/scopes.ts';

/** Every set of scopes a credential could hold. */
const subsets: Scope[][] = Array.from({ length: 2 ** SCOPES.length }, (_, mask) => SCOPES.filter((_, i) => mask & (1 << i)));

describe('scopeRule: holdsScope as the data authenticate_request checks', () => {
  test.each([...SCOPES])("agrees with holdsScope for every held set, for '%s'", (scope) => {
    const { anyOf, notBoth } = scopeRule(scope);
    const meets = (held: Scope[], wanted: Scope[]) => held.some((s) => wanted.includes(s));
    for (const held of subsets) {
      const bySql = meets(held, anyOf) && !(meets(held, notBoth[0]) && meets(held, notBoth[1]));
      expect(bySql, `${scope} with ${held.join(',') || 'none'}`).toBe(holdsScope(held, scope));
    }
  });
});
