import { type Column, getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/*
 * A row to store, derived from its drizzle table: as the API names its fields (`ValuesOf`), or as its
 * columns are named (`ColumnRow`, what the ratings' jsonb insert and the pool's COPY read). No
 * hand-written twin of a table, so a new column is in both at once.
 */

type Columns<T extends PgTable> = T['_']['columns'];
/** A column's value as JSON carries it: timestamps as RFC 3339 strings. */
type Value<C extends Column> = C['_']['data'] extends Date ? string : C['_']['data'];
type Required<T extends PgTable, O> = { [K in Exclude<keyof Columns<T>, O>]: Columns<T>[K]['_']['notNull'] extends true ? K : never }[Exclude<keyof Columns<T>, O>];

/** The values of a new row of `T` but the `Omitted` ones, by property name; a nullable one may be left out. */
export type ValuesOf<T extends PgTable, Omitted extends keyof Columns<T> = never> = {
  [K in Required<T, Omitted>]: Value<Columns<T>[K]>;
} & { [K in Exclude<keyof Columns<T>, Omitted | Required<T, Omitted>>]?: Value<Columns<T>[K]> | null };

/** The same row keyed by column name. */
export type ColumnRow<T extends PgTable, Omitted extends keyof Columns<T> = never> = {
  [K in Required<T, Omitted> as Columns<T>[K]['_']['name']]: Value<Columns<T>[K]>;
} & { [K in Exclude<keyof Columns<T>, Omitted | Required<T, Omitted>> as Columns<T>[K]['_']['name']]?: Value<Columns<T>[K]> | null };

/** `values` keyed by column name, every column but the omitted ones present (null when left out), so rows of one insert share their keys. */
export function columnRow<T extends PgTable, O extends keyof Columns<T> & string>(table: T, values: ValuesOf<T, O>, omitted: readonly O[]): ColumnRow<T, O> {
  const given = values as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(getTableColumns(table))
      .filter(([key]) => !(omitted as readonly string[]).includes(key))
      .map(([key, column]) => [column.name, given[key] ?? null]),
  ) as ColumnRow<T, O>;
}
