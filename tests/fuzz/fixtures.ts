/**
 * Real data for the fuzz to aim at, made through the API of the worker under fuzz: two tenants
 * (the second's ids are "foreign"), credentials of every kind, units, ratings and targets, so
 * valid requests reach handlers and path ids can be real, foreign or garbage.
 */
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';

export interface Credentials {
  operator: string;
  /** Admin API key of the fuzzed tenant: every scope. */
  adminKey: string;
  /** Access token of a partner client with every scope. */
  partnerToken: string;
  /** A key with `ratings:read` only: most routes answer 403. */
  readOnlyKey: string;
  /** The other tenant's admin key. */
  foreignKey: string;
  /** Partner client id and secret, for `/oauth/token`. */
  clientId: string;
  clientSecret: string;
  /** Tokens that must be refused: expired (really signed), `alg: none`, tampered signature. */
  expiredToken: string;
  algNoneToken: string;
  tamperedToken: string;
}

export interface Fixtures {
  credentials: Credentials;
  /** Ids by resource (the path segment before `{id}`): grown from every 2xx answer during the run. */
  ids: Map<string, Set<string>>;
  /** The other tenant's ids by resource: must never be reachable. */
  foreignIds: Map<string, Set<string>>;
  /** Ids of the credentials the fuzz itself uses: never revoked or rotated. */
  protectedIds: Set<string>;
}

type Call = (method: string, path: string, key: string | undefined, body?: unknown) => Promise<any>;

function caller(baseUrl: string): Call {
  return async (method, path, key, body) => {
    const headers: Record<string, string> = {};
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`fixture ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function hostileTokens(token: string, signingKeys: string, foreignTenantId: string) {
  const payload = decodeJwt(token);
  const header = decodeProtectedHeader(token);
  const [key] = JSON.parse(signingKeys) as [Record<string, string>];
  const now = Math.floor(Date.now() / 1000);
  const expiredToken = await new SignJWT({ ...payload, iat: now - 7_200, exp: now - 3_600 })
    .setProtectedHeader({ alg: 'ES256', kid: header.kid!, typ: header.typ! })
    .sign(await importJWK(key!, 'ES256'));
  const algNoneToken = `${base64url({ alg: 'none', typ: header.typ })}.${base64url(payload)}.`;
  const [head, , signature] = token.split('.');
  const tamperedToken = `${head}.${base64url({ ...payload, tenant: foreignTenantId, scope: 'admin' })}.${signature}`;
  return { expiredToken, algNoneToken, tamperedToken };
}

async function tenantWithData(call: Call, operator: string, name: string) {
  const { tenant, apiKey } = await call('POST', '/v1/tenants', operator, { name, industry: 'retail', sizeBand: '50-249', region: 'ES' });
  const key: string = apiKey.secret;
  const parent = await call('POST', '/v1/units', key, { name: 'Head office', kind: 'internal-supplier', externalRef: 'hq' });
  const units = [parent];
  for (let i = 0; i < 3; i++) {
    units.push(await call('POST', '/v1/units', key, { name: `Branch ${i}`, kind: 'touchpoint', parentId: parent.id, externalRef: `branch:${i}` }));
  }
  const now = Date.now();
  const items = Array.from({ length: 60 }, (_, i) => ({
    unitId: units[1 + (i % 3)].id,
    occurredAt: new Date(now - i * 86_400_000 * 3 - 60_000).toISOString(),
    quality: 1 + (i % 5),
    overall: 1 + ((i * 7) % 5),
    recommend: i % 11,
    customerKind: i % 2 ? 'occasional' : 'recurring',
    channel: 'web',
    customerRef: `customer-${i % 7}`,
    ...((i * 7) % 5 < 3 ? { blamedComponent: 'people', blamesAttitude: i % 2 === 0 } : {}),
  }));
  const { ids: ratingIds } = await call('POST', '/v1/external-ratings/batch', key, { items });
  // Internal ratings: dated in the current month (an ended month takes no more), by a key of their own.
  const monthStart = new Date(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1)).toISOString().slice(0, 10);
  const internal = Array.from({ length: 30 }, (_, i) => ({
    unitId: parent.id,
    occurredOn: [new Date(now - i * 86_400_000).toISOString().slice(0, 10), monthStart].sort()[1],
    commitments: 1 + (i % 5),
    internalCulture: 2,
    empowerment: 3,
    recognition: 1 + (i % 3),
    leadershipSupport: 4,
    knowledge: 5,
    ability: 4,
    willingness: 1 + (i % 5),
    tenureBand: 'new',
    role: 'frontline',
    recommendEmployer: i % 11,
  }));
  const writer = await call('POST', '/v1/api-keys', key, { name: 'Internal ratings writer', scopes: ['internal-ratings:write'] });
  await call('POST', '/v1/internal-ratings/batch', writer.secret, { items: internal });
  await call('PUT', '/v1/targets', key, { targets: [{ measure: 'csat', target: 0.8 }, { measure: 'nps', target: 30 }] });
  const client = await call('POST', '/v1/partner-clients', key, { name: 'Fuzz partner', scopes: ['admin'] });
  return { tenant, apiKey, key, units, ratingIds: ratingIds as string[], client };
}

export async function createFixtures(baseUrl: string, operator: string, signingKeys: string): Promise<Fixtures> {
  const call = caller(baseUrl);
  const own = await tenantWithData(call, operator, 'Fuzzed tenant');
  const foreign = await tenantWithData(call, operator, 'Foreign tenant');
  const readOnly = await call('POST', '/v1/api-keys', own.key, { name: 'Read only', scopes: ['ratings:read'] });
  const throwaway = await call('POST', '/v1/api-keys', own.key, { name: 'Throwaway', scopes: ['ratings:write'] });
  const tokenResponse = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: own.client.clientId, client_secret: own.client.clientSecret }),
  });
  if (!tokenResponse.ok) throw new Error(`fixture token: ${tokenResponse.status} ${await tokenResponse.text()}`);
  const partnerToken = ((await tokenResponse.json()) as { access_token: string }).access_token;

  const idsOf = (tenant: typeof own, extraKeys: string[]) =>
    new Map<string, Set<string>>([
      ['units', new Set(tenant.units.map((unit: { id: string }) => unit.id))],
      ['external-ratings', new Set(tenant.ratingIds)],
      ['api-keys', new Set([tenant.apiKey.id, ...extraKeys])],
      ['partner-clients', new Set([tenant.client.id])],
    ]);
  return {
    credentials: {
      operator,
      adminKey: own.key,
      partnerToken,
      readOnlyKey: readOnly.secret,
      foreignKey: foreign.key,
      clientId: own.client.clientId,
      clientSecret: own.client.clientSecret,
      ...(await hostileTokens(partnerToken, signingKeys, foreign.tenant.id)),
    },
    ids: idsOf(own, [readOnly.id, throwaway.id]),
    foreignIds: idsOf(foreign, []),
    protectedIds: new Set([own.apiKey.id, own.client.id, readOnly.id, foreign.apiKey.id]),
  };
}
