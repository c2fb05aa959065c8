/**
 * Hostile values and the ways a valid request is bent: wrong types, missing and extra fields, huge
 * strings and numbers, unicode (lone surrogates, NUL, RTL, emoji), deep nesting, bad headers.
 */
import fc from 'fast-check';

/** Strings a parser, a database or a log line may choke on. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\ud83d\ude00',
    '\u202eevil',
    '\ufeff',
    "'; DROP TABLE units; --",
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    'null',
    'true',
    '-1',
    '1e309',
    'NaN',
    '0x10',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '2026-02-30',
    '2026-13-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999+23:59',
    '0000-01-01',
    '\\',
    '"',
    '%',
    '\r\n',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'A'.repeat(n)),
  fc.integer({ min: 100, max: 5_000 }).map((n) => '\u00e9\ud83d\ude00'.repeat(n)),
);

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE, 9_007_199_254_740_993, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** `depth` arrays or objects inside each other. */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 1_000 }), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });

/** Any JSON value, wrong for most fields. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': null }, { __proto__: 1 }, { constructor: { prototype: 1 } }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.integer({ min: 1_001, max: 20_000 }).map((n) => Array.from({ length: n }, () => 1)) },
);

type Json = Record<string, unknown>;

/** A valid JSON body bent one way (or a few); raw text when the mutation is not JSON at all. */
export function mutateBody(body: unknown): fc.Arbitrary<{ json: unknown } | { raw: string }> {
  const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : undefined;
  const keys = object ? Object.keys(object) : [];
  const choices: fc.Arbitrary<{ json: unknown } | { raw: string }>[] = [
    junk.map((json) => ({ json })),
    fc.constantFrom('', '{', '{"a":', '[1,]', '{"a":1}}', 'undefined', '\u0000', '{"a":"\\ud800"}', '{"a":1,"a":2}', '\ufeff{}').map((raw) => ({ raw })),
    fc.integer({ min: 1_000, max: 100_000 }).map((depth) => ({ raw: '['.repeat(depth) + ']'.repeat(depth) })),
  ];
  if (object) {
    choices.push(
      fc.tuple(fc.string({ maxLength: 20 }), junk).map(([key, value]) => ({ json: { ...object, [key || 'extra']: value } })),
      fc.constant({ json: { ...object, __proto__: { admin: true } } }),
      fc.constant({ raw: JSON.stringify(object).replace(/^\{/, '{"__proto__":{"x":1},') }),
    );
  }
  if (keys.length > 0) {
    const key = fc.constantFrom(...keys);
    choices.push(
      key.map((k) => ({ json: Object.fromEntries(Object.entries(object!).filter(([name]) => name !== k)) })),
      fc.tuple(key, junk).map(([k, value]) => ({ json: { ...object, [k]: value } })),
      fc.tuple(key, junk).map(([k, value]) => ({ json: { ...object, [k]: mutateNested(object![k], value) } })),
    );
  }
  return fc.oneof(...choices);
}

/** Replaces a value one level down (an item of an array, a field of an object). */
function mutateNested(value: unknown, replacement: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [replacement, ...value.slice(1)] : [replacement];
  if (value !== null && typeof value === 'object') {
    const [first] = Object.keys(value);
    return first ? { ...value, [first]: replacement } : { x: replacement };
  }
  return replacement;
}

/**
 * Header values no server should like, among those Node's fetch sends: it refuses empty values,
 * controls and bytes above 0x7E in some headers (Authorization), so those are not generated.
 */
export const badHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('x'.repeat(256), 'x'.repeat(8_000), 'a b', '"quoted"', '""', ',', 'null', '-', '%00', '\\'),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 300 }),
);

export const badContentType: fc.Arbitrary<string> = fc.constantFrom(
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/jsonx',
  'application/problem+json',
  'APPLICATION/JSON',
  '',
  '*/*',
  'application/json, text/plain',
);

export const badAccept: fc.Arbitrary<string> = fc.constantFrom(
  'text/html',
  'application/xml',
  'image/png',
  '*/*;q=0',
  'application/json;q=0',
  'garbage',
  '',
  'text/csv',
);

/** Cursors the API never issued: base64url of other prefixes, non-UUIDs, junk. */
export const badCursor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '=', '====', '!!!', 'v1:', 'djE6', 'djE6bm90LWEtdXVpZA', 'djI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw'),
  fc.uuid().map((id) => btoa(`v1:${id}`)),
  fc.uuid().map((id) => btoa(`v1:${id.toUpperCase()}`).replace(/=+$/, '')),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => btoa(unescape(encodeURIComponent(s)))),
  fc.string({ maxLength: 300 }),
);
