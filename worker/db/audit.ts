import { auditEvents, type AuditAction } from '../../db/schema.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Database } from './client.ts';

export interface Actor {
  actorType: (typeof auditEvents.$inferInsert)['actorType'];
  /** Key id or client id; null for the operator. Never a secret. */
  actorId: string | null;
}

export interface AuditEntry extends Actor {
  tenantId: string;
  action: AuditAction;
  targetId?: string | null;
  requestId: string;
  details?: Record<string, unknown>;
}

/**
 * The insert of one audit event, to put in the same batch as the change it records: both commit,
 * or neither does.
 */
export function auditEvent(db: Database, entry: AuditEntry) {
  return db.insert(auditEvents).values({ id: uuidv7(), ...entry });
}
