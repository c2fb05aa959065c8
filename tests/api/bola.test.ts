import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { OPENAPI_FILE } from '../../scripts/openapi.ts';
import {
  accessToken,
  api,
  type CreatedTenant,
  createExternalRatings,
  createPartnerClient,
  createTenant,
  createUnit,
  externalRating,
  problemOf,
} from './helpers.ts';

/**
 * Broken object-level authorization, tried everywhere: for every operation in the committed OpenAPI
 * document whose path names a resource id, tenant A's resource requested with tenant B's admin
 * credentials — of every kind: B's API key and the access token of a partner client of B — must be
 * a 404 (the same answer as an id that never existed), and A's resource must be unchanged. The
 * matrix is operations × credential kinds and comes from the document, so a new route is covered
 * (or fails for want of a factory below) without anyone remembering to add it.
 */

type Factory = (owner: CreatedTenant) => Promise<string>;

async function created(response: Response): Promise<string> {
  if (response.status !== 201) throw new Error(`factory: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** How to create tenant A's resource for each collection that has `/{id}` routes. */
const FACTORIES: Record<string, Factory> = {
  '/v1/api-keys': (owner) =>
    api('/v1/api-keys', { method: 'POST', key: owner.apiKey.secret, json: { name: 'victim', scopes: ['ratings:read'] } }).then(created),
  '/v1/partner-clients': (owner) =>
    api('/v1/partner-clients', { method: 'POST', key: owner.apiKey.secret, json: { name: 'victim', scopes: ['ratings:write'] } }).then(
      created,
    ),
  '/v1/units': (owner) => createUnit(owner.apiKey.secret, { name: 'victim' }).then((unit) => unit.id),
  '/v1/webhook-endpoints': (owner) =>
    api('/v1/webhook-endpoints', {
      method: 'POST',
      key: owner.apiKey.secret,
      json: { url: 'https://hooks.example.com/victim', eventTypes: ['api_key.revoked'] },
    }).then(created),
  '/v1/external-ratings': async (owner) => {
    const unit = await createUnit(owner.apiKey.secret, { name: 'victim' });
    return (await createExternalRatings(owner.apiKey.secret, [externalRating(unit.id)]))[0]!;
  },
};

/** A body that would pass validation, so that only ownership can refuse the request. */
const VALID_BODIES: Record<string, unknown> = {
  rotateApiKey: { gracePeriodSeconds: 60 },
  rotateWebhookSecret: { gracePeriodSeconds: 60 },
  updateUnit: { name: 'x' },
  updateWebhookEndpoint: { status: 'enabled' },
};

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
}
const document = JSON.parse(await readFile(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};
const matrix = Object.entries(document.paths)
  .filter(([path]) => path.includes('{'))
  .flatMap(([path, operations]) =>
    Object.entries(operations)
      // Operator resources (job runs) belong to no tenant: a tenant's credential there is a 401 (tests/api/benchmark-workflow.test.ts).
      .filter(([, operation]) => !operation.security?.some((scheme) => 'operatorToken' in scheme))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        collection: path.slice(0, path.indexOf('/{')),
        operationId: operation.operationId,
      })),
  );

/** Every kind of credential a tenant calls with, each with the `admin` scope, so only ownership can refuse. */
const CREDENTIAL_KINDS = ['API key', 'partner access token'] as const;
type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
const pairs = matrix.flatMap((operation) => CREDENTIAL_KINDS.map((credential) => ({ ...operation, credential })));

let a: CreatedTenant;
let b: CreatedTenant;
/** Tenant B's credentials, by kind. */
const intruder = new Map<CredentialKind, string>();
const resources = new Map<string, string>();

beforeAll(async () => {
  a = await createTenant({ name: 'Victim' });
  b = await createTenant({ name: 'Intruder' });
  const partner = await createPartnerClient(b.apiKey.secret, { name: 'Intruder app', scopes: ['admin'] });
  intruder.set('API key', b.apiKey.secret);
  intruder.set('partner access token', await accessToken(partner));
});

describe('BOLA matrix: tenant B asks for tenant A’s resources', () => {
  test('covers every operation with a path id, with every kind of credential', () => {
    expect(matrix.length).toBeGreaterThan(0);
    for (const { collection, method, path } of matrix) {
      expect(FACTORIES[collection], `no factory for ${method} ${path}: add one to FACTORIES`).toBeDefined();
    }
    expect(pairs).toHaveLength(matrix.length * CREDENTIAL_KINDS.length);
    console.log(
      `BOLA matrix: ${pairs.length} (route × foreign credential) pairs = ${matrix.length} operations with a path id × ` +
        `${CREDENTIAL_KINDS.length} credential kinds of tenant B (${CREDENTIAL_KINDS.join(', ')})`,
    );
  });

  test.each(CREDENTIAL_KINDS)("B's %s is live and admin: it lists B's own API keys", async (credential) => {
    const response = await api('/v1/api-keys', { key: intruder.get(credential)! });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { id: string }[] };
    expect(data.map((key) => key.id)).toContain(b.apiKey.id);
  });

  test.each(pairs)("$method $path with B's $credential → 404", async ({ method, path, collection, operationId, credential }) => {
    let id = resources.get(collection);
    if (!id) {
      id = await FACTORIES[collection]!(a);
      resources.set(collection, id);
    }
    const url = path.replace(/\{[^}]+\}/, id);
    const before = await api(path.replace(/\{[^}]+\}.*$/, id), { key: a.apiKey.secret }).then((r) => r.text());

    const body = VALID_BODIES[operationId] ?? (['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);
    const response = await api(url, { method, key: intruder.get(credential)!, ...(body === undefined ? {} : { json: body }) });
    expect(response.status).toBe(404);
    await problemOf(response);

    const after = await api(path.replace(/\{[^}]+\}.*$/, id), { key: a.apiKey.secret }).then((r) => r.text());
    expect(after).toBe(before);
  });
});
