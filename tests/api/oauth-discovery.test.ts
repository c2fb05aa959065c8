import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { api, type CreatedTenant, createPartnerClient, createTenant, type IssuedPartnerClient } from './helpers.ts';

/*
 * A partner who has never read this code points the reference OAuth client library at the API and
 * uses its defaults: discovery (RFC 8414), the client credentials grant, and validation of the JWT
 * access token as a resource server would (RFC 9068). The issuer must be the origin the API is served
 * at, so this worker's JWT_ISSUER is its own loopback URL; plain http is allowed on loopback only,
 * by the library's documented `allowInsecureRequests` option.
 */
const AUDIENCE = 'service-culture-api';
const insecure = { [oauth.allowInsecureRequests]: true };

let worker: RunningWorker;
let issuer: URL;
let owner: CreatedTenant;
let partner: IssuedPartnerClient;
beforeAll(async () => {
  const port = await findFreePort();
  issuer = new URL(`http://127.0.0.1:${port}`);
  worker = await startWorker(
    {
      DATABASE_URL: inject('databaseUrl'),
      LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
      OPERATOR_TOKEN: inject('operatorToken'),
      JWT_SIGNING_KEYS: inject('signingKeys'),
      JWT_ISSUER: issuer.origin,
      JWT_AUDIENCE: AUDIENCE,
    },
    { script: inject('workerScript'), port },
  );
  owner = await createTenant({ name: 'Discovery owner' });
  partner = await createPartnerClient(owner.apiKey.secret, { scopes: ['ratings:write', 'reports:read'] });
});
afterAll(() => worker?.dispose());

/** RFC 8414 discovery; the library's default `algorithm` is OpenID Connect's `openid-configuration`. */
const discovery = (at: URL) => oauth.discoveryRequest(at, { algorithm: 'oauth2', ...insecure });

async function discover(): Promise<oauth.AuthorizationServer> {
  return oauth.processDiscoveryResponse(issuer, await discovery(issuer));
}

async function obtain(as: oauth.AuthorizationServer, clientAuth: oauth.ClientAuth, scope?: string) {
  const client: oauth.Client = { client_id: partner.clientId };
  const parameters = new URLSearchParams(scope ? { scope } : {});
  const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, parameters, insecure);
  return oauth.processClientCredentialsResponse(as, client, response);
}

describe('oauth4webapi, with its defaults', () => {
  test('discovers the token endpoint and key set (RFC 8414)', async () => {
    const as = await discover();
    expect(as).toMatchObject({
      issuer: issuer.origin,
      token_endpoint: `${issuer.origin}/oauth/token`,
      jwks_uri: `${issuer.origin}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });

  test.each([
    ['client_secret_basic', () => oauth.ClientSecretBasic(partner.clientSecret)],
    ['client_secret_post', () => oauth.ClientSecretPost(partner.clientSecret)],
  ])('obtains a token (%s) that validates as an RFC 9068 access token and opens the API', async (_, auth) => {
    const as = await discover();
    const token = await obtain(as, auth(), 'reports:read');
    expect(token.token_type).toBe('bearer'); // the library lower-cases it
    expect(token.scope).toBe('reports:read');

    const request = new Request(`${issuer.origin}/v1/tenant`, { headers: { Authorization: `Bearer ${token.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, AUDIENCE, insecure);
    expect(claims).toMatchObject({ iss: issuer.origin, aud: AUDIENCE, sub: partner.clientId, client_id: partner.clientId });

    const response = await fetch(request);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(owner.tenant.id);
  });
});

test('the metadata names the configured issuer, so a deployment on another origin is caught by discovery', async () => {
  // The shared test worker keeps wrangler.toml's JWT_ISSUER, which is not where it is served.
  const metadata = (await (await api('/.well-known/oauth-authorization-server')).json()) as { issuer: string };
  expect(metadata.issuer).toBe('https://api.service-culture.dev');
  const elsewhere = new URL(inject('workerUrl'));
  await expect(oauth.processDiscoveryResponse(elsewhere, await discovery(elsewhere))).rejects.toThrow(/issuer/);
});
