import { createRoute, z } from '@hono/zod-openapi';
import { ACTOR_TYPES, AUDIT_ACTIONS } from '../../../db/schema.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { PageQuerySchema, pageSchema } from '../../http/pagination.ts';
import { problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { timestamp, uuid } from '../../http/schemas.ts';

export const AuditEventSchema = z
  .object({
    id: uuid(),
    occurredAt: timestamp,
    action: z.enum(AUDIT_ACTIONS),
    actor: z
      .object({
        type: z.enum(ACTOR_TYPES),
        id: uuid().nullable().openapi({ description: 'The API key or partner client id; null for the operator.' }),
      })
      .openapi({ description: 'Who did it. Never a secret.' }),
    targetId: uuid().nullable().openapi({ description: 'The tenant, key or client acted on.' }),
    requestId: z.string().nullable().openapi({ description: "The server's own id of the request that did it (the `X-Request-Id` response header when the client sent none)." }),
    clientRequestId: z.string().nullable().openapi({ description: 'The `X-Request-Id` the client sent with that request, if any: its own label, recorded apart and never used as the id.' }),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'What changed, depending on the action.' }),
  })
  .openapi('AuditEvent');

/** A page's query with the filters of an audit log whose actions are `actions`; `example` a value of `action`. */
export function auditQuerySchema<const A extends string>(actions: readonly A[], example: string) {
  return PageQuerySchema.extend({
    action: z
      .string({ error: 'Give action once, with several actions separated by commas' })
      .max(1_000)
      .transform((value, ctx) => {
        const asked = value.split(',');
        const unknown = asked.filter((action) => !(actions as readonly string[]).includes(action));
        if (unknown.length === 0) return asked as A[];
        ctx.addIssue({ code: 'custom', message: `Unknown action: ${unknown.join(', ')}` });
        return z.NEVER;
      })
      .optional()
      .openapi({
        description: `Only these actions, comma-separated: ${actions.join(', ')}.`,
        example,
      }),
    from: timestamp.optional().openapi({ description: 'Only events at or after this time.' }),
    to: timestamp.optional().openapi({ description: 'Only events before this time (exclusive).' }),
  }).refine(({ from, to }) => from === undefined || to === undefined || Date.parse(from) <= Date.parse(to), {
    message: 'Must not be before `from`',
    path: ['to'],
  });
}

const AuditQuerySchema = auditQuerySchema(AUDIT_ACTIONS, 'api_key.created,api_key.revoked');

export const listAuditEvents = createRoute({
  method: 'get',
  path: '/v1/audit-events',
  operationId: 'listAuditEvents',
  summary: 'List audit events',
  description:
    "The tenant's append-only security log, newest first: keys and partner clients created, rotated or revoked, " +
    'settings changed, revoked credentials presented. Needs the `admin` scope.',
  tags: ['Audit'],
  ...tenantSecurity('admin'),
  request: { query: AuditQuerySchema },
  responses: {
    200: {
      description: 'A page of events.',
      content: { 'application/json': { schema: pageSchema(AuditEventSchema, 'AuditEventPage') } },
    },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  },
});

export type ListAuditEventsRoute = typeof listAuditEvents;
