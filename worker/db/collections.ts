import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { RunnableQuery } from 'drizzle-orm/runnable-query';
import { type Database, inTenant } from './client.ts';

/** A table of a tenant's resources, keyed by time-ordered ids (UUIDv7). */
export type TenantTable = PgTable & { id: PgColumn; tenantId: PgColumn };

/** Which page: `limit` rows after the id `after` (none: the first page). */
export interface PageRequest {
  limit: number;
  after?: string | undefined;
}

/** A batch item that reads rows of `T`: drizzle cannot infer a select's row type from a generic table. */
type RowsQuery<T extends TenantTable> = RunnableQuery<T['$inferSelect'][], 'pg'>;

/** The tenant's row `id` of `table`. */
export function ofTenant(table: TenantTable, tenantId: string, id: string) {
  return and(eq(table.tenantId, tenantId), eq(table.id, id));
}

/**
 * The query of a page of the tenant's rows of `table` that match `filters`, newest first, after the
 * id `page.after` (cursor pagination), with one row more than `page.limit` so that the caller can
 * tell whether a next page exists (http/pagination.ts `toPage`).
 */
export function pageQuery<T extends TenantTable>(db: Database, table: T, tenantId: string, page: PageRequest, filters: (SQL | undefined)[] = []): RowsQuery<T> {
  return db
    .select()
    .from(table as PgTable)
    .where(and(eq(table.tenantId, tenantId), page.after ? lt(table.id, page.after) : undefined, ...filters))
    .orderBy(desc(table.id))
    .limit(page.limit + 1) as unknown as RowsQuery<T>;
}

/** A page of the tenant's rows (see `pageQuery`), in one round trip. */
export async function listPage<T extends TenantTable>(
  db: Database,
  table: T,
  tenantId: string,
  page: PageRequest,
  filters: (SQL | undefined)[] = [],
): Promise<T['$inferSelect'][]> {
  const [rows] = await inTenant(db, tenantId, [pageQuery(db, table, tenantId, page, filters)]);
  return rows;
}

/** The tenant's row `id` of `table`, or undefined: another tenant's is no different from none. */
export async function getRow<T extends TenantTable>(db: Database, table: T, tenantId: string, id: string): Promise<T['$inferSelect'] | undefined> {
  const query = db.select().from(table as PgTable).where(ofTenant(table, tenantId, id)) as unknown as RowsQuery<T>;
  const [[row]] = await inTenant(db, tenantId, [query]);
  return row;
}
