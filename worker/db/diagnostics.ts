import type { ExternalUnitTotals, InternalUnitTotals, UnitNode } from '../domain/diagnostics.ts';
import type { Disclosure } from '../domain/disclosure.ts';
import { type Database, inTenant } from './client.ts';
import { disclosureOf, disclosureQueries } from './disclosure.ts';
import { reportsVersionQuery, versionOf } from './report-versions.ts';
import { externalTotals, internalTotals } from './rollup-totals.ts';

export interface DiagnosticsTotals {
  /** Every unit of the tenant, archived or not: today's tree. */
  units: UnitNode[];
  external: ExternalUnitTotals[];
  internal: InternalUnitTotals[];
  disclosure: Disclosure;
  /** What the totals are computed from, for the answer's ETag (report-versions.ts). */
  version: string;
}

/**
 * The rollup totals of days in [from, to) per unit — every unit, as the service-profit link
 * compares them — the unit tree and the disclosure decisions: one round trip while the stored plan
 * is current (worker/db/disclosure.ts).
 */
export async function diagnosticsTotals(db: Database, tenantId: string, period: { from: string; to: string }, now: Date): Promise<DiagnosticsTotals> {
  const [external, internal, version, ...disclosureRows] = await inTenant(db, tenantId, [
    externalTotals(db, { tenantId, ...period, groupBy: ['unitId', 'customerKind'] }),
    internalTotals(db, { tenantId, ...period, groupBy: ['unitId', 'tenureBand'] }),
    reportsVersionQuery(db, tenantId),
    ...disclosureQueries(db, tenantId, now),
  ]);
  // The selects are built from the rollup definitions, so their rows are these types (see rollup-totals.ts).
  return {
    units: disclosureRows[0],
    external: external as unknown as ExternalUnitTotals[],
    internal: internal as unknown as InternalUnitTotals[],
    disclosure: await disclosureOf(db, tenantId, now, disclosureRows),
    version: versionOf(version),
  };
}

/** Only the version of what diagnostics are computed from: a conditional read's first round trip. */
export async function reportsVersion(db: Database, tenantId: string): Promise<string> {
  const [version] = await inTenant(db, tenantId, [reportsVersionQuery(db, tenantId)]);
  return versionOf(version);
}
