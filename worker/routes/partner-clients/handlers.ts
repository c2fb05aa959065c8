import type { RouteHandler } from '@hono/zod-openapi';
import { partnerClients, type PartnerClient } from '../../../db/schema.ts';
import * as store from '../../db/partner-clients.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { generateClientSecret } from '../../domain/secrets.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, requireGrantable, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import { getHandler, listHandler } from '../resource.ts';
import { revokeHandler } from '../api-keys/handlers.ts';
import type {
  CreatePartnerClientRoute,
  GetPartnerClientRoute,
  ListPartnerClientsRoute,
  RevokePartnerClientRoute,
} from './routes.ts';

export function partnerClientResource(client: PartnerClient) {
  return {
    id: client.id,
    clientId: client.id,
    name: client.name,
    displayPrefix: client.displayPrefix,
    scopes: client.scopes,
    createdAt: client.createdAt.toISOString(),
    lastUsedAt: client.lastUsedAt?.toISOString() ?? null,
    revokedAt: client.revokedAt?.toISOString() ?? null,
  };
}

export const createPartnerClient: RouteHandler<CreatePartnerClientRoute, AppEnv> = async (c) => {
  const principal = tenantOf(c.get('principal'));
  const { name, scopes } = c.req.valid('json');
  requireGrantable(principal, scopes, 'A partner client');
  const secret = await generateClientSecret();
  const client: PartnerClient = {
    id: uuidv7(),
    tenantId: principal.tenant.id,
    name,
    displayPrefix: secret.displayPrefix,
    secretHash: secret.hash,
    scopes,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  };
  const resource = partnerClientResource(client);
  const clientSecret: string | null = secret.secret;
  return respondOnce(
    c,
    {
      status: 201,
      body: { ...resource, clientSecret },
      stored: { ...resource, clientSecret: null },
      headers: ({ id }) => ({
        // A response that shows a secret must not be kept by any cache.
        'Cache-Control': 'no-store',
        Location: `/v1/partner-clients/${id}`,
      }),
    },
    (claim) => store.createPartnerClient(c.get('db'), client, actingOf(c), claim),
  );
};

export const listPartnerClients: RouteHandler<ListPartnerClientsRoute, AppEnv> = listHandler(store.listPartnerClients, partnerClientResource);

export const getPartnerClient: RouteHandler<GetPartnerClientRoute, AppEnv> = getHandler('partner client', store.getPartnerClient, partnerClientResource);

export const revokePartnerClient: RouteHandler<RevokePartnerClientRoute, AppEnv> = revokeHandler(partnerClients, 'partner client', partnerClientResource);
