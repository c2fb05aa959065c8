import { eq } from 'drizzle-orm';
import { units } from '../../db/schema.ts';
import type { ExternalUnitTotals, InternalUnitTotals, UnitNode } from '../domain/diagnostics.ts';
import { type Database, inTenant } from './client.ts';
import { reportsVersionQuery, versionOf } from './report-versions.ts';
import { externalTotals, internalTotals } from './rollup-totals.ts';

export interface DiagnosticsTotals {
  /** Every unit of the tenant, archived or not: the tree suppression works on. */
  units: UnitNode[];
  external: ExternalUnitTotals[];
  internal: InternalUnitTotals[];
  /** What the totals are computed from, for the answer's ETag (report-versions.ts). */
  version: string;
}

/**
 * The rollup totals of days in [from, to) per unit — every unit, as the service-profit link and
 * complementary suppression compare them — and the unit tree: one round trip.
 */
export async function diagnosticsTotals(db: Database, tenantId: string, period: { from: string; to: string }): Promise<DiagnosticsTotals> {
  const [unitRows, external, internal, version] = await inTenant(db, tenantId, [
    db.select({ id: units.id, parentId: units.parentId }).from(units).where(eq(units.tenantId, tenantId)),
    externalTotals(db, { tenantId, ...period, groupBy: ['unitId', 'customerKind'] }),
    internalTotals(db, { tenantId, ...period, groupBy: ['unitId', 'tenureBand'] }),
    reportsVersionQuery(db, tenantId),
  ]);
  // The selects are built from the rollup definitions, so their rows are these types (see rollup-totals.ts).
  return {
    units: unitRows,
    external: external as unknown as ExternalUnitTotals[],
    internal: internal as unknown as InternalUnitTotals[],
    version: versionOf(version),
  };
}

/** Only the version of what diagnostics are computed from: a conditional read's first round trip. */
export async function reportsVersion(db: Database, tenantId: string): Promise<string> {
  const [version] = await inTenant(db, tenantId, [reportsVersionQuery(db, tenantId)]);
  return versionOf(version);
}
