import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { apiKeys, type ApiKey } from '../../../db/schema.ts';
import * as store from '../../db/api-keys.ts';
import { type CredentialTable, revokeCredential } from '../../db/credentials.ts';
import { NotFound } from '../../db/errors.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { generateApiKey } from '../../domain/secrets.ts';
import { dispatchSoon } from '../../jobs/webhooks.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, requireGrantable, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import { getHandler, listHandler } from '../resource.ts';
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
  return respondOnce(
    c,
    { status: 201, body: newApiKeyResource<string | null>(apiKey, key.secret), stored: newApiKeyResource(apiKey, null), headers: issuedHeaders },
    (claim) => store.createApiKey(c.get('db'), apiKey, actingOf(c), claim),
  );
};

export const listApiKeys: RouteHandler<ListApiKeysRoute, AppEnv> = listHandler(store.listApiKeys, apiKeyResource);

export const getApiKey: RouteHandler<GetApiKeyRoute, AppEnv> = getHandler('API key', store.getApiKey, apiKeyResource);

/**
 * The revoke handler of either kind of credential (`revokeCredential`): the credential as revoked,
 * or 404 naming `resource`.
 */
export function revokeHandler<T extends CredentialTable, R>(table: T, resource: string, present: (row: T['$inferSelect']) => R) {
  return async (c: Context<AppEnv, string, { out: { param: { id: string } } }>) => {
    const { id } = c.req.valid('param');
    const revoked = await revokeCredential(c.get('db'), table, tenantOf(c.get('principal')).tenant.id, id, actingOf(c));
    if (!revoked) throw new NotFound(resource, id);
    // An api_key.revoked event's deliveries leave now, not at the next minute's cron.
    if (revoked.webhookDeliveries > 0) dispatchSoon(c.env, c.executionCtx);
    return c.json(present(revoked.credential), 200);
  };
}

export const revokeApiKey: RouteHandler<RevokeApiKeyRoute, AppEnv> = revokeHandler(apiKeys, 'API key', apiKeyResource);

export const rotateApiKey: RouteHandler<RotateApiKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  // Without a body the validator is skipped and the schema's default never applies, so it is applied here.
  const { gracePeriodSeconds = DEFAULT_GRACE_SECONDS } = c.req.valid('json');
  const db = c.get('db');
  // Read first: the new key takes the old one's name, scopes and expiry, and the response (stored for
  // an Idempotency-Key) must say so before the write runs. A rotation costs one round trip more.
  const previous = await store.getApiKey(db, tenantOf(c.get('principal')).tenant.id, id);
  if (!previous) throw new NotFound('API key', id);
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
  return respondOnce(
    c,
    { status: 201, body: newApiKeyResource<string | null>(created, key.secret), stored: newApiKeyResource(created, null), headers: issuedHeaders },
    (claim) => store.rotateApiKey(db, previous, created, gracePeriodSeconds, actingOf(c), claim),
  );
};
