import type { RouteHandler } from '@hono/zod-openapi';
import type { ApiKey } from '../../../db/schema.ts';
import * as store from '../../db/api-keys.ts';
import { DIVISION_BY_ZERO, sqlState } from '../../db/errors.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { generateApiKey } from '../../domain/secrets.ts';
import { dispatchSoon } from '../../jobs/webhooks.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, requireGrantable, tenantOf } from '../../http/auth.ts';
import { writeOnce } from '../../http/idempotency.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import {
  type CreateApiKeyRoute,
  DEFAULT_GRACE_SECONDS,
  type GetApiKeyRoute,
  type ListApiKeysRoute,
  type RevokeApiKeyRoute,
  type RotateApiKeyRoute,
} from './routes.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function apiKeyResource(apiKey: ApiKey) {
  return {
    id: apiKey.id,
    name: apiKey.name,
    displayPrefix: apiKey.displayPrefix,
    scopes: apiKey.scopes,
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: iso(apiKey.lastUsedAt),
    expiresAt: iso(apiKey.expiresAt),
    revokedAt: iso(apiKey.revokedAt),
    rotatedFromId: apiKey.rotatedFromId,
  };
}

export function newApiKeyResource<S extends string | null>(apiKey: ApiKey, secret: S) {
  return { ...apiKeyResource(apiKey), secret };
}

/** A response that shows a secret must not be kept by any cache. */
function issuedHeaders(apiKey: { id: string }) {
  return { 'Cache-Control': 'no-store', Location: `/v1/api-keys/${apiKey.id}` };
}

function notFound(id: string): ProblemError {
  return new ProblemError('notFound', `There is no API key ${id}.`);
}

export const createApiKey: RouteHandler<CreateApiKeyRoute, AppEnv> = async (c) => {
  const principal = tenantOf(c.get('principal'));
  const { name, scopes, expiresAt } = c.req.valid('json');
  requireGrantable(principal, scopes, 'A key');
  const id = uuidv7();
  const key = await generateApiKey(principal.tenant.id, id);
  const apiKey: ApiKey = {
    id,
    tenantId: principal.tenant.id,
    name,
    displayPrefix: key.displayPrefix,
    secretHash: key.hash,
    scopes,
    createdAt: new Date(),
    lastUsedAt: null,
    expiresAt: expiresAt === undefined ? null : new Date(expiresAt),
    revokedAt: null,
    rotatedFromId: null,
  };
  const writes = store.insertApiKey(c.get('db'), apiKey, actingOf(c));
  return writeOnce(c, undefined, writes, 201, newApiKeyResource<string | null>(apiKey, key.secret), {
    stored: newApiKeyResource(apiKey, null),
    headers: issuedHeaders,
  });
};

export const listApiKeys: RouteHandler<ListApiKeysRoute, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await store.listApiKeys(c.get('db'), tenant.id, { limit, after: decodeCursor(cursor) });
  return c.json(toPage(c, rows, limit, apiKeyResource), 200);
};

export const getApiKey: RouteHandler<GetApiKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const key = await store.getApiKey(c.get('db'), tenantOf(c.get('principal')).tenant.id, id);
  if (!key) throw notFound(id);
  return c.json(apiKeyResource(key), 200);
};

export const revokeApiKey: RouteHandler<RevokeApiKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const revoked = await store.revokeApiKey(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, actingOf(c));
  if (!revoked) throw notFound(id);
  // The api_key.revoked event's deliveries leave now, not at the next minute's cron.
  if (revoked.webhookDeliveries > 0) dispatchSoon(c.env, c.executionCtx);
  return c.json(apiKeyResource(revoked.credential), 200);
};

export const rotateApiKey: RouteHandler<RotateApiKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  // Without a body the validator is skipped and the schema's default never applies, so it is applied here.
  const { gracePeriodSeconds = DEFAULT_GRACE_SECONDS } = c.req.valid('json');
  const db = c.get('db');
  // Read first: the new key takes the old one's name, scopes and expiry, and the response (stored for
  // an Idempotency-Key) must say so before the write runs. A rotation costs one round trip more.
  const previous = await store.getApiKey(db, tenantOf(c.get('principal')).tenant.id, id);
  if (!previous) throw notFound(id);
  const createdId = uuidv7();
  const key = await generateApiKey(previous.tenantId, createdId);
  const created: ApiKey = {
    ...previous,
    id: createdId,
    displayPrefix: key.displayPrefix,
    secretHash: key.hash,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
    rotatedFromId: previous.id,
  };
  try {
    return await writeOnce(
      c,
      undefined,
      store.rotateApiKey(db, previous, created, gracePeriodSeconds, actingOf(c)),
      201,
      newApiKeyResource<string | null>(created, key.secret),
      { stored: newApiKeyResource(created, null), headers: issuedHeaders },
    );
  } catch (error) {
    if (sqlState(error) !== DIVISION_BY_ZERO) throw error;
    const state = previous.revokedAt ? 'revoked' : 'expired';
    throw new ProblemError('conflict', `The API key is ${state} and cannot be rotated; create a new key instead.`);
  }
};
