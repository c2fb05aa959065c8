import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { externalRatings, externalRollups, internalRatings, internalRollups } from '../../db/schema.ts';
import { type Aggregate, type Condition, ROLLUP_AGGREGATES } from '../domain/measure-registry.ts';

/**
 * How each rollup column is computed from a set of ratings, as a SQL aggregate over the alias `r`.
 * The same definitions add new ratings, subtract erased ones, and (in tests) recompute everything
 * from raw rows, so the three cannot disagree. The aggregates come from the measure registry
 * (worker/domain/measure-registry.ts): a measure added there is added here.
 */
export interface RollupSpec<T extends PgTable> {
  table: T;
  /** Grouping columns (besides tenant) and the expression over `r` that gives each. */
  keys: Partial<Record<keyof T['$inferSelect'], string>>;
  /** Every other column but tenant_id. */
  aggregates: Partial<Record<keyof T['$inferSelect'], string>>;
}

/** The SQL of the registry's aggregates over `r`, a row of `ratings` (property names become its column names). */
function aggregatesSql(ratings: PgTable, aggregates: Record<string, Aggregate>): Record<string, string> {
  const columns = getTableColumns(ratings) as Record<string, { name: string }>;
  const column = (property: string) => `r.${columns[property]!.name}`;
  const literal = (value: string | number | boolean) => (typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value));
  const condition = ({ column: property, atLeast, atMost, is }: Condition) =>
    [
      ...(atLeast !== undefined ? [`${column(property)} >= ${atLeast}`] : []),
      ...(atMost !== undefined ? [`${column(property)} <= ${atMost}`] : []),
      ...(is === true ? [column(property)] : is !== undefined ? [`${column(property)} = ${literal(is)}`] : []),
    ].join(' and ');
  const sqlOf = (aggregate: Aggregate): string => {
    if ('count' in aggregate) return aggregate.count === '*' ? 'count(*)' : `count(${column(aggregate.count)})`;
    if ('countWhere' in aggregate) return `count(*) filter (where ${aggregate.countWhere.map(condition).join(' and ')})`;
    const total = aggregate.sum.map(column).join(' + ');
    return aggregate.squared ? `coalesce(sum((${total}) * (${total})), 0)` : `coalesce(sum(${total}), 0)`;
  };
  return Object.fromEntries(Object.entries(aggregates).map(([name, aggregate]) => [name, sqlOf(aggregate)]));
}

export const EXTERNAL_ROLLUP: RollupSpec<typeof externalRollups> = {
  table: externalRollups,
  keys: { unitId: 'r.unit_id', day: `(r.occurred_at at time zone 'UTC')::date`, customerKind: 'r.customer_kind' },
  aggregates: aggregatesSql(externalRatings, ROLLUP_AGGREGATES.external),
};

export const INTERNAL_ROLLUP: RollupSpec<typeof internalRollups> = {
  table: internalRollups,
  keys: { unitId: 'r.unit_id', day: 'r.occurred_on', tenureBand: 'r.tenure_band', role: 'r.role' },
  aggregates: aggregatesSql(internalRatings, ROLLUP_AGGREGATES.internal),
};

function columnsOf<T extends PgTable>(spec: RollupSpec<T>) {
  const columns = getTableColumns(spec.table) as Record<string, { name: string }>;
  const named = (entries: Partial<Record<string, string>>) =>
    Object.entries(entries).map(([property, expression]) => ({ name: columns[property]!.name, expression: expression! }));
  const keys = named(spec.keys as Record<string, string>);
  const aggregates = named(spec.aggregates as Record<string, string>);
  const covered = new Set(['tenant_id', ...keys.map((k) => k.name), ...aggregates.map((a) => a.name)]);
  const missing = Object.values(columns).filter((column) => !covered.has(column.name));
  // Caught by the first test that writes a rating: a column without a definition would stay 0.
  if (missing.length > 0) throw new Error(`rollup ${missing.map((c) => c.name).join(', ')} has no aggregate`);
  return { keys, aggregates };
}

const ident = (name: string) => sql.raw(`"${name}"`);
const list = (parts: SQL[]) => sql.join(parts, sql`, `);

/**
 * `select tenant, keys…, aggregates… from <source> group by keys… order by keys…`: the rollup rows
 * of a set of ratings. Ordered so that concurrent writes upsert shared rows in the same order and
 * cannot deadlock on each other.
 */
export function rollupRows<T extends PgTable>(spec: RollupSpec<T>, tenantId: string | SQL, source: SQL): SQL {
  const { keys, aggregates } = columnsOf(spec);
  // Grouped by the tenant too (a constant for one tenant), so a bulk load can pass `r.tenant_id`.
  const positions = list([{}, ...keys].map((_, i) => sql.raw(String(i + 1))));
  return sql`select ${typeof tenantId === 'string' ? sql`${tenantId}::uuid` : tenantId} as "tenant_id", ${list(keys.map((k) => sql`${sql.raw(k.expression)} as ${ident(k.name)}`))},
    ${list(aggregates.map((a) => sql`${sql.raw(a.expression)} as ${ident(a.name)}`))}
    from ${source} group by ${positions}
    order by ${positions}`;
}

/** Adds the ratings of `source` (an expression aliased `r`) to the tenant's rollups (`r.tenant_id`: each rating's tenant's). */
export function addToRollups<T extends PgTable>(spec: RollupSpec<T>, tenantId: string | SQL, source: SQL): SQL {
  const { keys, aggregates } = columnsOf(spec);
  const table = ident(getTableName(spec.table));
  const all = [{ name: 'tenant_id' }, ...keys, ...aggregates].map((c) => ident(c.name));
  return sql`insert into ${table} as t (${list(all)}) ${rollupRows(spec, tenantId, source)}
    on conflict (${list([{ name: 'tenant_id' }, ...keys].map((k) => ident(k.name)))})
    do update set ${list(aggregates.map((a) => sql`${ident(a.name)} = t.${ident(a.name)} + excluded.${ident(a.name)}`))}`;
}

/** Takes the ratings of `source` (aliased `r`; e.g. a `delete … returning *` CTE) out of the rollups. */
export function subtractFromRollups<T extends PgTable>(spec: RollupSpec<T>, tenantId: string, source: SQL): SQL {
  const { keys, aggregates } = columnsOf(spec);
  const table = ident(getTableName(spec.table));
  return sql`update ${table} as t set ${list(aggregates.map((a) => sql`${ident(a.name)} = t.${ident(a.name)} - d.${ident(a.name)}`))}
    from (${rollupRows(spec, tenantId, source)}) as d
    where ${sql.join([{ name: 'tenant_id' }, ...keys].map((k) => sql`t.${ident(k.name)} = d.${ident(k.name)}`), sql` and `)}`;
}
