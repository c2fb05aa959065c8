import type { RouteHandler } from '@hono/zod-openapi';
import { SUBSCRIBABLE_EVENT_TYPES, type WebhookEndpoint } from '../../../db/schema.ts';
import { NotFound } from '../../db/errors.ts';
import * as store from '../../db/webhooks.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { checkOutboundUrl } from '../../domain/outbound-url.ts';
import { sealSecret } from '../../domain/secret-box.ts';
import { generateWebhookSecret } from '../../domain/webhooks.ts';
import { dispatchSoon } from '../../jobs/webhooks.ts';
import type { AppEnv, Env } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import { getHandler, listHandler } from '../resource.ts';
import { DEFAULT_GRACE_SECONDS } from '../api-keys/routes.ts';
import type {
  CreateWebhookEndpointRoute,
  DeleteWebhookEndpointRoute,
  GetWebhookEndpointRoute,
  ListWebhookAttemptsRoute,
  ListWebhookEndpointsRoute,
  RedeliverWebhookRoute,
  RotateWebhookSecretRoute,
  TestWebhookEndpointRoute,
  UpdateWebhookEndpointRoute,
} from './routes.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;
// Endpoints are created and changed with subscribable types only; this narrows the column's type.
const isSubscribable = (type: string): type is (typeof SUBSCRIBABLE_EVENT_TYPES)[number] => (SUBSCRIBABLE_EVENT_TYPES as string[]).includes(type);

function endpointResource(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes.filter(isSubscribable),
    status: endpoint.disabledAt ? ('disabled' as const) : ('enabled' as const),
    failingSince: iso(endpoint.failingSince),
    disabledAt: iso(endpoint.disabledAt),
    createdAt: endpoint.createdAt.toISOString(),
  };
}

const notFound = (id: string) => new NotFound('webhook endpoint', id);

/** The URL as it will be called, or a 422 naming why it may not be. */
function outboundUrl(env: Env, url: string): URL {
  const check = checkOutboundUrl(url, { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === 'true' });
  if (!check.ok) {
    throw new ProblemError('validation', `The URL ${check.reason}.`, { errors: [{ location: 'body', pointer: '/url', detail: `Must be a public https URL: ${check.reason}` }] });
  }
  return check.url;
}

export const createWebhookEndpoint: RouteHandler<CreateWebhookEndpointRoute, AppEnv> = async (c) => {
  const principal = tenantOf(c.get('principal'));
  const { url, eventTypes } = c.req.valid('json');
  const checked = outboundUrl(c.env, url);
  const secret = generateWebhookSecret();
  const id = uuidv7();
  const endpoint: WebhookEndpoint = {
    id,
    tenantId: principal.tenant.id,
    url: checked.href,
    eventTypes,
    secretCiphertext: await sealSecret(c.env.HASH_SECRET, id, secret),
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    createdAt: new Date(),
    failingSince: null,
    disabledAt: null,
  };
  const resource = endpointResource(endpoint);
  return respondOnce(
    c,
    {
      status: 201,
      body: { ...resource, secret: secret as string | null },
      stored: { ...resource, secret: null },
      headers: (body) => ({ ...NO_STORE, Location: `/v1/webhook-endpoints/${body.id}` }),
    },
    (claim) => store.createWebhookEndpoint(c.get('db'), endpoint, actingOf(c), claim),
  );
};

/** A response that shows a secret must not be kept by any cache. */
const NO_STORE = { 'Cache-Control': 'no-store' };

export const rotateWebhookSecret: RouteHandler<RotateWebhookSecretRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  // Without a body the validator is skipped and the schema's default never applies, so it is applied here.
  const { gracePeriodSeconds = DEFAULT_GRACE_SECONDS } = c.req.valid('json');
  const db = c.get('db');
  // Read first: the response (stored for an Idempotency-Key) must describe the endpoint before the write runs.
  const endpoint = await store.getWebhookEndpoint(db, tenantOf(c.get('principal')).tenant.id, id);
  if (!endpoint) throw notFound(id);
  const secret = generateWebhookSecret();
  const sealed = await sealSecret(c.env.HASH_SECRET, id, secret);
  const resource = endpointResource(endpoint);
  return respondOnce(
    c,
    { status: 200, body: { ...resource, secret: secret as string | null }, stored: { ...resource, secret: null }, headers: () => NO_STORE },
    (claim) => store.rotateWebhookSecret(db, endpoint, sealed, gracePeriodSeconds, actingOf(c), claim),
  );
};

export const listWebhookEndpoints: RouteHandler<ListWebhookEndpointsRoute, AppEnv> = listHandler(store.listWebhookEndpoints, endpointResource);

export const getWebhookEndpoint: RouteHandler<GetWebhookEndpointRoute, AppEnv> = getHandler('webhook endpoint', store.getWebhookEndpoint, endpointResource);

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
    toPage(c, rows, limit, (row) => ({
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

export const updateWebhookEndpoint: RouteHandler<UpdateWebhookEndpointRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { url, eventTypes, status } = c.req.valid('json');
  const changes: store.EndpointChanges = {
    ...(url !== undefined && { url: outboundUrl(c.env, url).href }),
    ...(eventTypes !== undefined && { eventTypes }),
    ...(status !== undefined && { enabled: status === 'enabled' }),
  };
  const endpoint = await store.updateWebhookEndpoint(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, changes, actingOf(c));
  if (!endpoint) throw notFound(id);
  return c.json(endpointResource(endpoint), 200);
};

function disabled(id: string): ProblemError {
  return new ProblemError('conflict', `The webhook endpoint ${id} is disabled; enable it first (PATCH with status: enabled).`);
}

export const testWebhookEndpoint: RouteHandler<TestWebhookEndpointRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const db = c.get('db');
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  const eventId = uuidv7();
  const deliveryId = await store.sendTestEvent(db, { tenantId, id }, eventId, actingOf(c));
  if (deliveryId) {
    dispatchSoon(c.env, c.executionCtx);
    return c.json({ eventId, deliveryId }, 202);
  }
  // Nothing written: say why.
  if (!(await store.getWebhookEndpoint(db, tenantId, id))) throw notFound(id);
  throw disabled(id);
};

export const redeliverWebhook: RouteHandler<RedeliverWebhookRoute, AppEnv> = async (c) => {
  const { id, deliveryId } = c.req.valid('param');
  const db = c.get('db');
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  const endpoint = await store.getWebhookEndpoint(db, tenantId, id);
  if (!endpoint) throw notFound(id);
  if (endpoint.disabledAt) throw disabled(id);
  const outcome = await store.redeliver(db, tenantId, id, deliveryId, actingOf(c));
  if (outcome.status === 'notFound') throw new ProblemError('notFound', `The webhook endpoint ${id} has no delivery ${deliveryId}.`);
  if (outcome.status === 'pending') throw new ProblemError('conflict', `The delivery ${deliveryId} is still being tried; wait for it to finish.`);
  dispatchSoon(c.env, c.executionCtx);
  return c.json({ eventId: outcome.eventId, deliveryId }, 202);
};
