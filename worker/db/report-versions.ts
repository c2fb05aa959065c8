import { sql } from 'drizzle-orm';
import { externalRollups, internalRollups, targets, units } from '../../db/schema.ts';
import type { Database } from './client.ts';

/**
 * The version of everything a tenant's scorecard and diagnostics are computed from: its rollups, units
 * and targets, each as a row count and a sum of row hashes. A checksum of committed rows, not a
 * timestamp or sequence: those are taken when a transaction starts writing, not when it commits, so a
 * slower writer could commit below a maximum already seen and its change would never show. Cheap:
 * one index range per table, nothing computed. Run it inside `inTenant` (row-level security).
 */
export function reportsVersionQuery(db: Database, tenantId: string) {
  const checksum = (table: typeof externalRollups | typeof internalRollups | typeof units | typeof targets) =>
    sql`(select count(*) || '.' || coalesce(sum(hashtext(t::text)), 0) from ${table} t where t.tenant_id = ${tenantId})`;
  return db.execute<{ version: string }>(
    sql`select concat_ws(':', ${checksum(externalRollups)}, ${checksum(internalRollups)}, ${checksum(units)}, ${checksum(targets)}) as version`,
  );
}

/** The version out of `reportsVersionQuery`'s result. */
export const versionOf = (result: { rows: unknown[] }) => (result.rows[0] as { version: string }).version;
