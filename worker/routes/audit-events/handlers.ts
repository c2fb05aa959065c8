import type { RouteHandler } from '@hono/zod-openapi';
import type { AuditEvent } from '../../../db/schema.ts';
import { type AuditFilter, listAuditEvents as listEvents } from '../../db/audit.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { ListAuditEventsRoute } from './routes.ts';

export function auditEventResource(event: AuditEvent) {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    actor: { type: event.actorType, id: event.actorId },
    targetId: event.targetId,
    requestId: event.requestId,
    clientRequestId: event.clientRequestId,
    details: event.details,
  };
}

/** The list's filter from its query (tenant's and operator's alike): any of `action`, within [`from`, `to`). */
export function auditFilter<A extends string>({ action, from, to }: { action?: A[] | undefined; from?: string | undefined; to?: string | undefined }): AuditFilter<A> {
  return { actions: action ?? [], ...(from === undefined ? {} : { from: new Date(from) }), ...(to === undefined ? {} : { to: new Date(to) }) };
}

export const listAuditEvents: RouteHandler<ListAuditEventsRoute, AppEnv> = async (c) => {
  const { limit, cursor, action, from, to } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await listEvents(
    c.get('db'),
    tenant.id,
    auditFilter({ action, from, to }),
    { limit, after: decodeCursor(cursor) },
  );
  return c.json(toPage(c, rows, limit, auditEventResource), 200);
};
