import { sql } from 'drizzle-orm';
import { internalRatings, units } from '../../db/schema.ts';
import type { Disclosure } from '../domain/disclosure.ts';
import { RESPONDENT_COLUMNS, RESPONDENT_SAMPLE_CAP, type RespondentRow } from '../domain/respondent-drivers.ts';
import { type Database, inTenant } from './client.ts';
import { disclosureOf, disclosureQueries } from './disclosure.ts';
import { reportsVersionQuery, versionOf } from './report-versions.ts';

export interface RespondentSample {
  /** Every unit of the tenant today, to tell a 404 from an empty subtree. */
  units: { id: string; parentId: string | null }[];
  /** Respondents in the cell (the whole cell, not the sample). */
  respondents: number;
  /** A uniform sample of them, at most RESPONDENT_SAMPLE_CAP, in RESPONDENT_COLUMNS' order. */
  rows: RespondentRow[];
  disclosure: Disclosure;
  version: string;
}

/**
 * The individual answers of one cell — the tenant, or `unitId`'s subtree in today's tree (the
 * subtree disclosure decides about), over [from, to) — as a uniform sample: ordered by a hash of
 * their random ids and capped in SQL, so the response stays small whatever the tenant's size
 * (domain/respondent-drivers.ts), with the cell's full count beside each row. Together with the
 * disclosure decisions: one round trip while the stored plan is current.
 */
export async function respondentSample(
  db: Database,
  tenantId: string,
  cell: { from: string; to: string; unitId: string | null },
  now: Date,
): Promise<RespondentSample> {
  const r = internalRatings;
  const columns = RESPONDENT_COLUMNS.map((name) => r[name]);
  // `union`, not `union all`: it stops even on a cycle, which the table's triggers refuse anyway.
  const sample = db.execute<Record<string, number | null>>(sql`
    with recursive subtree (id) as (
      select ${units.id} from ${units} where ${units.tenantId} = ${tenantId} and ${units.id} = ${cell.unitId}::uuid
      union
      select u.id from ${units} u join subtree s on u.parent_id = s.id where u.tenant_id = ${tenantId}
    )
    select ${sql.join(columns, sql`, `)}, count(*) over ()::int as respondents
    from ${r}
    where ${r.tenantId} = ${tenantId} and ${r.occurredOn} >= ${cell.from} and ${r.occurredOn} < ${cell.to}
      and (${cell.unitId}::uuid is null or ${r.unitId} in (select id from subtree))
    order by md5(${r.id}::text)
    limit ${RESPONDENT_SAMPLE_CAP}`);
  const [rows, version, ...disclosureRows] = await inTenant(db, tenantId, [sample, reportsVersionQuery(db, tenantId), ...disclosureQueries(db, tenantId, now)]);
  return {
    units: disclosureRows[0],
    respondents: Number(rows.rows[0]?.respondents ?? 0),
    rows: rows.rows.map((row) => columns.map((column) => (row[column.name] === null ? null : Number(row[column.name])))),
    disclosure: await disclosureOf(db, tenantId, now, disclosureRows),
    version: versionOf(version),
  };
}
