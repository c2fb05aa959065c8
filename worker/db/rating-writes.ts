import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from './client.ts';
import { addToRollups, type RollupSpec } from './rollups.ts';

/** Postgres array literal of validated UUIDs. */
export function uuidArray(ids: Iterable<string>): string {
  return `{${[...new Set(ids)].join(',')}}`;
}

/**
 * The statements that store ratings and add them to the rollups, for one batch transaction: the
 * units are checked first (`assert_units_accept_ratings`: the tenant's own, not archived), then one
 * multi-row insert and one rollup upsert, whatever the count. The rows travel as one jsonb
 * parameter, keyed by column name; their record type is read off the drizzle table, so it cannot
 * drift from the schema.
 *
 * @param rows the ratings, each keyed by its table's column names, with `unit_id`
 * @param fixed columns with one value for every row (e.g. `received_at`), besides `tenant_id`
 */
export function insertRatings<R extends PgTable>(
  db: Database,
  table: PgTable,
  rollup: RollupSpec<R>,
  tenantId: string,
  rows: readonly { unit_id: string }[],
  fixed: Record<string, string> = {},
): BatchItem<'pg'>[] {
  const names = Object.keys(rows[0] ?? {});
  const types = new Map(Object.values(getTableColumns(table)).map((column) => [column.name, column.getSQLType()]));
  const quoted = (name: string) => `"${name}"`;
  const record = sql.raw(names.map((name) => `${quoted(name)} ${types.get(name)}`).join(', '));
  const columns = sql.raw(names.map(quoted).join(', '));
  const source = sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${record})`;
  const constants = Object.entries({ tenant_id: tenantId, ...fixed });
  const constantNames = sql.raw(constants.map(([name]) => quoted(name)).join(', '));
  const constantValues = sql.join(
    constants.map(([name, value]) => sql`${value}::${sql.raw(types.get(name)!)}`),
    sql`, `,
  );
  return [
    db.execute(sql`select assert_units_accept_ratings(${uuidArray(rows.map((r) => r.unit_id))}::uuid[])`),
    db.execute(
      sql`insert into ${sql.raw(quoted(getTableName(table)))} (${constantNames}, ${columns}) select ${constantValues}, ${columns} from ${source}`,
    ),
    db.execute(addToRollups(rollup, tenantId, source)),
  ];
}
