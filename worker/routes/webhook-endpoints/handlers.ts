import type { RouteHandler } from '@hono/zod-openapi';
import type { WebhookEndpoint } from '../../../db/schema.ts';
import * as store from '../../db/webhooks.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { checkOutboundUrl } from '../../domain/outbound-url.ts';
import { sealSecret } from '../../domain/secret-box.ts';
import { generateWebhookSecret } from '../../domain/webhooks.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { writeOnce } from '../../http/idempotency.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import type {
  CreateWebhookEndpointRoute,
  DeleteWebhookEndpointRoute,
  GetWebhookEndpointRoute,
  ListWebhookAttemptsRoute,
  ListWebhookEndpointsRoute,
} from './routes.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

function endpointResource(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    status: endpoint.disabledAt ? ('disabled' as const) : ('enabled' as const),
    failingSince: iso(endpoint.failingSince),
    disabledAt: iso(endpoint.disabledAt),
    createdAt: endpoint.createdAt.toISOString(),
  };
}

function notFound(id: string): ProblemError {
  return new ProblemError('notFound', `There is no webhook endpoint ${id}.`);
}

export const createWebhookEndpoint: RouteHandler<CreateWebhookEndpointRoute, AppEnv> = async (c) => {
  const principal = tenantOf(c.get('principal'));
  const { url, eventTypes } = c.req.valid('json');
  const check = checkOutboundUrl(url, { allowLoopback: c.env.WEBHOOK_ALLOW_LOOPBACK === 'true' });
  if (!check.ok) {
    throw new ProblemError('validation', `The URL ${check.reason}.`, { errors: [{ location: 'body', pointer: '/url', detail: `Must be a public https URL: ${check.reason}` }] });
  }
  const secret = generateWebhookSecret();
  const id = uuidv7();
  const endpoint: WebhookEndpoint = {
    id,
    tenantId: principal.tenant.id,
    url: check.url.href,
    eventTypes,
    secretCiphertext: await sealSecret(c.env.HASH_SECRET, id, secret),
    createdAt: new Date(),
    failingSince: null,
    disabledAt: null,
  };
  const resource = endpointResource(endpoint);
  return writeOnce(c, undefined, store.insertWebhookEndpoint(c.get('db'), endpoint, actingOf(c)), 201, { ...resource, secret: secret as string | null }, {
    stored: { ...resource, secret: null },
    // A response that shows a secret must not be kept by any cache.
    headers: (body) => ({ 'Cache-Control': 'no-store', Location: `/v1/webhook-endpoints/${body.id}` }),
  });
};

export const listWebhookEndpoints: RouteHandler<ListWebhookEndpointsRoute, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const rows = await store.listWebhookEndpoints(c.get('db'), tenantOf(c.get('principal')).tenant.id, { limit, after: decodeCursor(cursor) });
  return c.json(toPage(rows, limit, endpointResource), 200);
};

export const getWebhookEndpoint: RouteHandler<GetWebhookEndpointRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const endpoint = await store.getWebhookEndpoint(c.get('db'), tenantOf(c.get('principal')).tenant.id, id);
  if (!endpoint) throw notFound(id);
  return c.json(endpointResource(endpoint), 200);
};

export const deleteWebhookEndpoint: RouteHandler<DeleteWebhookEndpointRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  if (!(await store.deleteWebhookEndpoint(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, actingOf(c)))) throw notFound(id);
  return c.body(null, 204);
};

export const listWebhookAttempts: RouteHandler<ListWebhookAttemptsRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { limit, cursor } = c.req.valid('query');
  const rows = await store.listWebhookAttempts(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, { limit, after: decodeCursor(cursor) });
  if (!rows) throw notFound(id);
  return c.json(
    toPage(rows, limit, (row) => ({
      id: row.id,
      deliveryId: row.deliveryId,
      eventId: row.eventId,
      eventType: row.eventType,
      attemptedAt: row.attemptedAt.toISOString(),
      statusCode: row.statusCode,
      durationMs: row.durationMs,
      error: row.error,
      delivery: { status: row.deliveryStatus, attempts: row.attempts },
    })),
    200,
  );
};
