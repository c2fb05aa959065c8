import type { RouteHandler } from '@hono/zod-openapi';
import type { AuditEvent } from '../../../db/schema.ts';
import { listAuditEvents as listEvents } from '../../db/audit.ts';
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

export const listAuditEvents: RouteHandler<ListAuditEventsRoute, AppEnv> = async (c) => {
  const { limit, cursor, action, from, to } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await listEvents(
    c.get('db'),
    tenant.id,
    { actions: action ?? [], from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) },
    { limit, after: decodeCursor(cursor) },
  );
  return c.json(toPage(c, rows, limit, auditEventResource), 200);
};
