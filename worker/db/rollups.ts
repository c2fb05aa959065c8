import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { externalRollups, internalRollups } from '../../db/schema.ts';

/**
 * How each rollup column is computed from a set of ratings, as a SQL aggregate over the alias `r`.
 * The same definitions add new ratings, subtract erased ones, and (in tests) recompute everything
 * from raw rows, so the three cannot disagree. A measure added later is one line here.
 */
export interface RollupSpec<T extends PgTable> {
  table: T;
  /** Grouping columns (besides tenant) and the expression over `r` that gives each. */
  keys: Partial<Record<keyof T['$inferSelect'], string>>;
  /** Every other column but tenant_id. */
  aggregates: Partial<Record<keyof T['$inferSelect'], string>>;
}

const moments = (column: string, withCount = true) => ({
  ...(withCount ? { N: `count(r.${column})` } : {}),
  Sum: `coalesce(sum(r.${column}), 0)`,
  SumSq: `coalesce(sum(r.${column} * r.${column}), 0)`,
});

/** `{ qualityN, qualitySum, qualitySumSq }` and so on, named as the schema names them. */
function momentsOf(columns: Record<string, string>, withCount = true): Record<string, string> {
  return Object.fromEntries(
    Object.entries(columns).flatMap(([property, column]) =>
      Object.entries(moments(column, withCount)).map(([suffix, expression]) => [`${property}${suffix}`, expression]),
    ),
  );
}

const countWhere = (condition: string) => `count(*) filter (where ${condition})`;

export const EXTERNAL_ROLLUP: RollupSpec<typeof externalRollups> = {
  table: externalRollups,
  keys: { unitId: 'r.unit_id', day: `(r.occurred_at at time zone 'UTC')::date`, customerKind: 'r.customer_kind' },
  aggregates: {
    ratings: 'count(*)',
    ...momentsOf({ quality: 'quality', quantity: 'quantity', opportunity: 'opportunity', cost: 'cost' }),
    ...momentsOf({ overall: 'overall' }, false),
    satisfied: countWhere('r.overall >= 4'),
    dissatisfied: countWhere('r.overall <= 2'),
    dissatisfiedBlamingAttitude: countWhere('r.overall <= 2 and r.blames_attitude'),
    blamingAttitude: countWhere('r.blames_attitude'),
    recommendN: 'count(r.recommend)',
    promoters: countWhere('r.recommend >= 9'),
    detractors: countWhere('r.recommend <= 6'),
    blamedProduct: countWhere(`r.blamed_component = 'product'`),
    blamedProcedures: countWhere(`r.blamed_component = 'procedures'`),
    blamedFacilities: countWhere(`r.blamed_component = 'facilities'`),
    blamedSystemsEquipment: countWhere(`r.blamed_component = 'systems-equipment'`),
    blamedInformation: countWhere(`r.blamed_component = 'information'`),
    blamedPeople: countWhere(`r.blamed_component = 'people'`),
  },
};

const SUPPORT_TOTAL = 'r.commitments + r.internal_culture + r.empowerment + r.recognition + r.leadership_support';

export const INTERNAL_ROLLUP: RollupSpec<typeof internalRollups> = {
  table: internalRollups,
  keys: { unitId: 'r.unit_id', day: 'r.occurred_on', tenureBand: 'r.tenure_band', role: 'r.role' },
  aggregates: {
    respondents: 'count(*)',
    ...momentsOf(
      {
        commitments: 'commitments',
        internalCulture: 'internal_culture',
        empowerment: 'empowerment',
        recognition: 'recognition',
        leadershipSupport: 'leadership_support',
        knowledge: 'knowledge',
        ability: 'ability',
        willingness: 'willingness',
      },
      false,
    ),
    supportTotalSum: `coalesce(sum(${SUPPORT_TOTAL}), 0)`,
    supportTotalSumSq: `coalesce(sum((${SUPPORT_TOTAL}) * (${SUPPORT_TOTAL})), 0)`,
    willingnessFavourable: countWhere('r.willingness >= 4'),
    recommendEmployerN: 'count(r.recommend_employer)',
    employerPromoters: countWhere('r.recommend_employer >= 9'),
    employerDetractors: countWhere('r.recommend_employer <= 6'),
  },
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
