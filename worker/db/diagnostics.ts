import { and, eq, sql } from 'drizzle-orm';
import { units } from '../../db/schema.ts';
import {
  type ExternalKindTotals,
  type ExternalUnitTotals,
  type InternalBandTotals,
  type InternalUnitTotals,
  LINK_MIN_RATINGS,
  LINK_MIN_RESPONDENTS,
  LINK_TOTALS,
} from '../domain/diagnostics.ts';
import type { Disclosure } from '../domain/disclosure.ts';
import { type Database, inTenant } from './client.ts';
import { disclosureOf, disclosureStateQuery } from './disclosure.ts';
import { reportsVersionQuery, versionOf } from './report-versions.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, externalTotals, type InternalTotals, internalTotals } from './rollup-totals.ts';
import { subtreeIdsQuery } from './units.ts';

export interface DiagnosticsTotals {
  /** The totals of the unit asked for and the units under it (the whole tenant without one), by customer kind and tenure band; null: no such unit. */
  scope: { external: ExternalKindTotals[]; internal: InternalBandTotals[] } | null;
  /** Per leaf unit, only those that reach the service-profit link's thresholds on that side, and only `LINK_TOTALS`. */
  external: ExternalUnitTotals[];
  internal: InternalUnitTotals[];
  disclosure: Disclosure;
  /** The scope's totals in the previous period, when one was asked for. */
  previous?: { external: ExternalTotals; internal: InternalTotals };
  /** What the totals are computed from, for the answer's ETag (report-versions.ts). */
  version: string;
}

/**
 * The tenant's units with a unit below them today: what the link leaves out. `not in`, which Postgres
 * runs as one hashed lookup per row; a join to a list of leaves became a nested loop over all units
 * per rollup row (73 s at 12,000 units) while the planner's statistics lagged a bulk load.
 */
function parentIds(tenantId: string) {
  return sql`select parent_id from units where tenant_id = ${tenantId} and parent_id is not null`;
}

/**
 * The rollup totals of days in [from, to) that diagnostics and key drivers read, with the disclosure
 * decisions: one round trip while the stored plan is current (worker/db/disclosure.ts). Summed in
 * SQL to stay under Neon's 10 MiB response (neon-limits.ts): the scope is a handful of rows whatever
 * it holds, and a unit has a narrow row (`LINK_TOTALS`, about 230 bytes) only if it is a leaf with
 * enough answers for the service-profit link on that side: 2.7 MiB at 12,000 units all in the link,
 * stored plan included (tests/api/request-size.test.ts).
 */
export async function diagnosticsTotals(
  db: Database,
  tenantId: string,
  period: { from: string; to: string },
  now: Date,
  unitId: string | null = null,
  previous: { from: string; to: string } | null = null,
): Promise<DiagnosticsTotals> {
  const inScope = unitId === null ? {} : { unitsIn: subtreeIdsQuery(tenantId, unitId) };
  const leaves = { unitsNotIn: parentIds(tenantId), groupBy: ['unitId' as const] };
  const [found, scopeExternal, scopeInternal, external, internal, version, state, ...before] = await inTenant(db, tenantId, [
    db.select({ id: units.id }).from(units).where(and(eq(units.tenantId, tenantId), unitId === null ? sql`false` : eq(units.id, unitId))),
    externalTotals(db, { tenantId, ...period, ...inScope, groupBy: ['customerKind'] }),
    internalTotals(db, { tenantId, ...period, ...inScope, groupBy: ['tenureBand'] }),
    externalTotals(db, { tenantId, ...period, ...leaves, columns: LINK_TOTALS.external, atLeast: { ratings: LINK_MIN_RATINGS } }),
    internalTotals(db, { tenantId, ...period, ...leaves, columns: LINK_TOTALS.internal, atLeast: { respondents: LINK_MIN_RESPONDENTS } }),
    reportsVersionQuery(db, tenantId),
    disclosureStateQuery(db, tenantId, now),
    // The scope's whole totals in the previous period, one row each: what the changes compare with.
    ...(previous ? [externalTotals(db, { tenantId, ...previous, ...inScope }), internalTotals(db, { tenantId, ...previous, ...inScope })] : []),
  ]);
  // The selects are built from the rollup definitions, so their rows are these types (see rollup-totals.ts).
  return {
    scope:
      unitId !== null && found.length === 0
        ? null
        : { external: scopeExternal as unknown as ExternalKindTotals[], internal: scopeInternal as unknown as InternalBandTotals[] },
    external: external as unknown as ExternalUnitTotals[],
    internal: internal as unknown as InternalUnitTotals[],
    // Not today's tree: decisions come from the stored plan, which replanning reads the tree for.
    disclosure: await disclosureOf(db, tenantId, now, [null, state]),
    version: versionOf(version),
    ...(previous && {
      previous: { external: (before[0]?.[0] ?? EMPTY_EXTERNAL_TOTALS) as ExternalTotals, internal: (before[1]?.[0] ?? EMPTY_INTERNAL_TOTALS) as InternalTotals },
    }),
  };
}

/** Only the version of what diagnostics are computed from: a conditional read's first round trip. */
export async function reportsVersion(db: Database, tenantId: string): Promise<string> {
  const [version] = await inTenant(db, tenantId, [reportsVersionQuery(db, tenantId)]);
  return versionOf(version);
}
