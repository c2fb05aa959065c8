import fc from 'fast-check';
import type { Context } from 'hono';
import { expect, test } from 'vitest';
import type { AppEnv } from '../../worker/env.ts';
import { DOCUMENTED_KEY_PATTERN, idempotencyKeyOf } from '../../worker/http/idempotency.ts';

const documented = new RegExp(DOCUMENTED_KEY_PATTERN);

function accepted(value: string): boolean {
  const c = { req: { header: () => value } } as unknown as Context<AppEnv>;
  try {
    idempotencyKeyOf(c);
    return true;
  } catch {
    return false;
  }
}

/** Printable ASCII, quotes and a space made likely, at lengths around the limits. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', 'a', ' ', '~', '\x7f'), maxLength: 6 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 250, maxLength: 260 }),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 257 }), fc.boolean()).map(([open, n, close]) => `${open ? '"' : ''}${'k'.repeat(n)}${close ? '"' : ''}`),
);

test("the document's Idempotency-Key pattern accepts exactly what the API accepts", () => {
  fc.assert(
    fc.property(headerValue, (value) => {
      expect(documented.test(value) && value.length <= 257, JSON.stringify(value)).toBe(accepted(value));
    }),
    { numRuns: 2000 },
  );
});
