/**
 * fast-check arbitraries for the values a JSON Schema (OpenAPI 3.1) accepts: types, enums, const,
 * formats (uuid, date, date-time), lengths, patterns, bounds, required and optional properties.
 * Only the keywords the document uses are understood; an unknown one is ignored rather than refused,
 * so a new route never stops the fuzz (its requests are then merely less often valid).
 */
import fc from 'fast-check';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

/**
 * Values worth more than random ones for a field or parameter of this name: real ids of the
 * fixtures (`unitId`), a partner client's credentials. Called at generation time, so ids harvested
 * from earlier answers count.
 */
export type Hints = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

export interface SchemaContext {
  /** The whole document, for `$ref`s. */
  document: unknown;
  hints: Hints;
}

export function resolve(schema: JsonSchema, document: unknown): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 20; depth++) {
    const path = current.$ref.replace(/^#\//, '').split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    current = path.reduce((node: any, key) => node?.[key], document) as JsonSchema;
  }
  return current;
}

const DAY = 86_400_000;

/** Mostly recent instants: the API refuses encounters more than 2 years back or in the future. */
const recentInstant = fc.integer({ min: -700, max: 0 }).map((days) => new Date(Date.now() + days * DAY - 3_600_000));
const anyInstant = fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true });
const instant = fc.oneof({ weight: 4, arbitrary: recentInstant }, { weight: 1, arbitrary: anyInstant });

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const { minLength = 0, maxLength = Math.max(minLength, 40) } = schema;
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 7 });
    case 'date-time':
      return instant.map((date) => date.toISOString());
    case 'date':
      return instant.map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  // Short strings mostly; the length limits themselves now and then.
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 30), unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ minLength: maxLength, maxLength, unit: 'grapheme-ascii' }) },
  ).filter((s) => [...s].length >= minLength && s.length <= (schema.maxLength ?? Infinity));
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.exclusiveMinimum ?? schema.minimum;
  const max = schema.exclusiveMaximum ?? schema.maximum;
  if (integer) {
    const arb = fc.integer({ min: Math.ceil(min ?? -1e6), max: Math.floor(max ?? 1e6) });
    return arb.filter((n) => n !== schema.exclusiveMinimum && n !== schema.exclusiveMaximum);
  }
  return fc
    .double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true })
    .filter((n) => n !== schema.exclusiveMinimum && n !== schema.exclusiveMaximum && !Object.is(n, -0));
}

/** A value `schema` accepts (as far as the keywords above go); `name` is the field's, for hints. */
export function arbitraryFor(schema: JsonSchema, context: SchemaContext, name = '', depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context.document);
  const hinted = context.hints(name, resolved);
  const own = valueArbitrary(resolved, context, depth);
  return hinted ? fc.oneof({ weight: 4, arbitrary: hinted }, { weight: 1, arbitrary: own }) : own;
}

function valueArbitrary(schema: JsonSchema, context: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, context, '', depth + 1)));
  if (schema.allOf) {
    // The document uses allOf only to wrap one $ref with a description.
    return arbitraryFor(Object.assign({}, ...schema.allOf.map((s) => resolve(s, context.document))), context, '', depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : inferTypes(schema);
  return fc.oneof(...types.map((type) => typedArbitrary(type, schema, context, depth)));
}

function inferTypes(schema: JsonSchema): string[] {
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return ['string'];
}

function typedArbitrary(type: string, schema: JsonSchema, context: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      // A few items are enough to reach the handler; the maximum is the mutations' business.
      const maxLength = Math.min(schema.maxItems ?? 5, minLength + 4);
      const item = arbitraryFor(schema.items ?? {}, context, '', depth + 1);
      return schema.uniqueItems || isEnumArray(schema, context)
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object': {
      const required = new Set(schema.required ?? []);
      const properties = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, property]) => [key, arbitraryFor(property, context, key, depth + 1)]),
      );
      return fc.record(properties, { requiredKeys: [...required].filter((key) => key in properties) });
    }
    default:
      return fc.anything();
  }
}

/** Lists of enum values (scopes) are refused with repeats, documented or not. */
function isEnumArray(schema: JsonSchema, context: SchemaContext): boolean {
  return schema.items !== undefined && resolve(schema.items, context.document).enum !== undefined;
}
