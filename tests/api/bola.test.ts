import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { OPENAPI_FILE } from '../../scripts/openapi.ts';
import { api, type CreatedTenant, createTenant, problemOf } from './helpers.ts';

/**
 * Broken object-level authorization, tried everywhere: for every operation in the committed OpenAPI
 * document whose path names a resource id, tenant A's resource requested with tenant B's admin
 * credentials must be a 404 — the same answer as an id that never existed — and A's resource must
 * be unchanged. The matrix comes from the document, so a new route is covered (or fails for want
 * of a factory below) without anyone remembering to add it.
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
};

/** A body that would pass validation, so that only ownership can refuse the request. */
const VALID_BODIES: Record<string, unknown> = {
  rotateApiKey: { gracePeriodSeconds: 60 },
};

interface Operation {
  operationId: string;
}
const document = JSON.parse(await readFile(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};
const matrix = Object.entries(document.paths)
  .filter(([path]) => path.includes('{'))
  .flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      collection: path.slice(0, path.indexOf('/{')),
      operationId: operation.operationId,
    })),
  );

let a: CreatedTenant;
let b: CreatedTenant;
const resources = new Map<string, string>();

beforeAll(async () => {
  a = await createTenant({ name: 'Victim' });
  b = await createTenant({ name: 'Intruder' });
});

describe('BOLA matrix: tenant B asks for tenant A’s resources', () => {
  test('covers every operation with a path id', () => {
    expect(matrix.length).toBeGreaterThan(0);
    for (const { collection, method, path } of matrix) {
      expect(FACTORIES[collection], `no factory for ${method} ${path}: add one to FACTORIES`).toBeDefined();
    }
  });

  test.each(matrix)('$method $path → 404', async ({ method, path, collection, operationId }) => {
    let id = resources.get(collection);
    if (!id) {
      id = await FACTORIES[collection]!(a);
      resources.set(collection, id);
    }
    const url = path.replace(/\{[^}]+\}/, id);
    const before = await api(path.replace(/\{[^}]+\}.*$/, id), { key: a.apiKey.secret }).then((r) => r.text());

    const body = VALID_BODIES[operationId] ?? (['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);
    const response = await api(url, { method, key: b.apiKey.secret, ...(body === undefined ? {} : { json: body }) });
    expect(response.status).toBe(404);
    await problemOf(response);

    const after = await api(path.replace(/\{[^}]+\}.*$/, id), { key: a.apiKey.secret }).then((r) => r.text());
    expect(after).toBe(before);
  });
});
