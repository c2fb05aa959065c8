import { z } from '@hono/zod-openapi';
import { type Column, getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type AnswerColumn, type AnswerColumnOf, answerColumns, type Side } from '../domain/measure-registry.ts';
import { integer, isoDate, timestamp, uuid } from './schemas.ts';

/*
 * A row's request and response fields derived from its drizzle table (what drizzle-zod does, with this
 * API's formats: a timestamp is an RFC 3339 string, a uuid any 8-4-4-4-12 hex, integers int32), so
 * a column's type and nullability are written once. Bounds of answer columns come from the measure
 * registry, the same bounds its SQL checks use.
 */

/** What the API carries for a column's value: timestamps as strings. */
type ApiValue<C extends Column> = C['_']['data'] extends Date ? string : C['_']['data'];
type Base<C extends Column> = z.ZodType<ApiValue<C>, ApiValue<C>>;
/** Requests may leave a nullable column out; responses always carry it, as null. */
export type FieldSchema<C extends Column, Mode extends 'request' | 'response'> = C['_']['notNull'] extends true
  ? Base<C>
  : Mode extends 'request'
    ? z.ZodOptional<z.ZodNullable<Base<C>>>
    : z.ZodNullable<Base<C>>;
type Columns<T extends PgTable> = T['_']['columns'];
export type Fields<T extends PgTable, K extends keyof Columns<T>, Mode extends 'request' | 'response'> = {
  [P in K]: FieldSchema<Columns<T>[P], Mode>;
};

/** The schema of a column's values, by its drizzle column type. */
function baseSchema(column: Column): z.ZodType {
  switch (column.columnType) {
    case 'PgSmallInt':
    case 'PgInteger':
      return integer();
    case 'PgBoolean':
      return z.boolean();
    case 'PgEnumColumn':
      return z.enum(column.enumValues as [string, ...string[]]);
    case 'PgUUID':
      return uuid();
    case 'PgTimestamp':
    case 'PgTimestampString':
      return timestamp;
    case 'PgDateString':
      return isoDate();
    case 'PgText':
      return z.string();
    default:
      throw new Error(`no schema for column ${column.name} (${column.columnType})`);
  }
}

const bounds = new Map<string, AnswerColumn>((['external', 'internal'] as const).flatMap((side) => answerColumns(side).map((answer) => [`${side}:${answer.column}`, answer] as const)));

/**
 * The fields of `keys` of `table`: required where the column is not null, else optional in requests
 * and nullable in responses. An answer column of the registry gets its bounds and its description
 * in requests.
 */
export function rowFields<T extends PgTable, K extends keyof Columns<T> & string, Mode extends 'request' | 'response'>(
  table: T,
  side: Side,
  keys: readonly K[],
  mode: Mode,
): Fields<T, K, Mode> {
  const columns = getTableColumns(table) as Record<string, Column>;
  return Object.fromEntries(
    keys.map((key) => {
      const column = columns[key]!;
      const answer = bounds.get(`${side}:${key}`);
      let schema = baseSchema(column);
      const inRequest = answer && mode === 'request';
      if (inRequest) schema = (schema as z.ZodNumber).min(answer.bounds.min).max(answer.bounds.max);
      if (!column.notNull) schema = mode === 'request' ? schema.nullish() : schema.nullable();
      return [key, inRequest ? schema.openapi({ description: answer.description, example: answer.example }) : schema];
    }),
  ) as Fields<T, K, Mode>;
}

/** The registry's answer columns of a side (its measures' and the other scores), in the table's order. */
export function answerKeys<S extends Side>(table: PgTable, side: S): AnswerColumnOf<S>[] {
  const answers = new Set<string>(answerColumns(side).map((answer) => answer.column));
  return Object.keys(getTableColumns(table)).filter((key) => answers.has(key)) as AnswerColumnOf<S>[];
}

/**
 * A row as its response shows it: every field of `keys`, a missing nullable one as null, timestamps as
 * RFC 3339 UTC strings.
 */
export function responseRow<K extends string>(keys: readonly K[], values: Partial<Record<K, unknown>>): Record<K, unknown> {
  return Object.fromEntries(
    keys.map((key) => {
      const value = values[key] ?? null;
      return [key, value instanceof Date ? value.toISOString() : value];
    }),
  ) as Record<K, unknown>;
}
