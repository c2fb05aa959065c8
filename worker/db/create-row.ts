import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuditAction } from '../../db/schema.ts';
import { type Acting, auditEvent } from './audit.ts';
import type { Database } from './client.ts';
import type { TenantTable } from './collections.ts';
import type { Refusals } from './errors.ts';
import { type IdempotencyClaim, type Replay, writeOnce } from './idempotency.ts';

/**
 * Creates the tenant's row given whole (its timestamps too, so its resource is known before the write
 * runs), audited as `action` with `details`, once per Idempotency-Key `claim` (see `writeOnce`).
 */
export function createRow<T extends TenantTable>(
  db: Database,
  table: T,
  row: T['$inferInsert'] & { id: string; tenantId: string },
  audit: { action: AuditAction; details: Record<string, unknown> },
  { actor, requestId, clientRequestId }: Acting,
  claim: IdempotencyClaim | undefined,
  refusals?: Refusals,
): Promise<Replay | undefined> {
  const { action, details } = audit;
  return writeOnce(
    db,
    row.tenantId,
    claim,
    [db.insert(table as PgTable).values(row), auditEvent(db, { ...actor, tenantId: row.tenantId, action, targetId: row.id, requestId, clientRequestId, details })],
    refusals,
  );
}
