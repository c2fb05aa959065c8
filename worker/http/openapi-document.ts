/**
 * The OpenAPI document's fixed parts (info, servers, tags, security schemes): what `npm run openapi`
 * (scripts/openapi.ts) adds to the routes' own definitions. Not imported by the worker, which serves the
 * generated file (./openapi.ts): its bundle carries neither these texts nor the generator.
 */
import type { AppRouter } from './router.ts';
import { API_TITLE } from './openapi.ts';
import { PROBLEM_TYPE_BASE, PROBLEMS } from './problem.ts';

type DocumentConfig = Parameters<AppRouter['getOpenAPI31Document']>[0];

/** The document's fixed parts; paths and schemas come from the routes. */
export const documentConfig: DocumentConfig = {
  openapi: '3.1.0',
  info: {
    title: API_TITLE,
    version: '0.1.0',
    contact: { name: 'Service Culture Benchmark API', url: 'https://service-culture.dev' },
    description: [
      'Measures an organization\'s service culture from both sides of the counter — clients rating service',
      'encounters (external ratings) and employees rating the support they get as internal customers',
      '(internal ratings) — and benchmarks it against a pool of peer organizations.',
      '',
      '## Authentication',
      '',
      'Every `/v1` call carries `Authorization: Bearer <credential>`, one of:',
      '',
      '- **API key** (`apiKey`): a tenant admin\'s key, `sck_…`, issued with the tenant and at `POST /v1/api-keys`.',
      '- **OAuth 2.0 client credentials** (`partnerOAuth`): a partner app registered at `POST /v1/partner-clients`',
      '  exchanges its `client_id` and `client_secret` at `POST /oauth/token` for a 15-minute access token (a JWT).',
      '- **Operator token** (`operatorToken`): the operator\'s, for creating tenants and running jobs.',
      '',
      'An operation\'s security requirement names the scopes it needs (`admin` implies all). Every `POST` that writes',
      'takes an `Idempotency-Key`: the same key and body within 24 hours replays the first answer.',
      '',
      '## Errors',
      '',
      'Every error is an RFC 9457 `application/problem+json` object: `type` (a stable URI per kind of problem),',
      '`title`, `status`, `detail`, `instance` (the request id, also in the `X-Request-Id` header) and, for',
      'validation errors, `errors[]` — each with `location` (`body`, `query`, `path`, `header`), a JSON Pointer',
      'and a message. Only `POST /oauth/token` answers RFC 6749 JSON errors (`{"error":"invalid_client",…}`).',
      '429 and 503 come with `Retry-After` (seconds): wait that long, then send the same request again.',
      '',
      '| status | type | meaning |',
      '|---|---|---|',
      ...Object.values(PROBLEMS).map(({ status, slug, title }) => `| ${status} | \`${PROBLEM_TYPE_BASE}${slug}\` | ${title} |`),
    ].join('\n'),
  },
  // Relative: the document describes the deployment that serves it (local, staging or production).
  servers: [{ url: '/', description: 'This deployment, local, staging or production: the one serving this document', 'x-internal': false }],
  tags: [
    { name: 'Health', description: 'Liveness and readiness probes.' },
    { name: 'Tenants', description: 'Organizations and their settings.' },
    { name: 'API keys', description: "Tenant admins' credentials: issue, list, rotate, revoke." },
    { name: 'Partner clients', description: 'Partner apps (helpdesks, CRMs, kiosks) acting for a tenant through OAuth 2.0.' },
    { name: 'OAuth', description: 'Access tokens for partner clients (client credentials) and the keys that verify them.' },
    { name: 'Audit', description: 'The append-only log of security-relevant changes.' },
    { name: 'Units', description: 'Departments, branches and teams that ratings are about; archived, not deleted, once rated.' },
    { name: 'External ratings', description: 'Clients rating a service encounter: quality, quantity, opportunity, cost, overall, what they blame.' },
    { name: 'Internal ratings', description: 'Employees, anonymously, rating the support they receive as internal customers; write-only.' },
    { name: 'Benchmarks', description: 'A measure compared with peers (all, industry, size band, region): distribution and own percentile rank.' },
    { name: 'Admin', description: 'Operator jobs: run the benchmark job, list job runs.' },
    { name: 'Scorecard', description: 'Measures per period with their uncertainty, gap to target and trend; small groups suppressed.' },
    { name: 'Targets', description: 'The tenant’s goal for each measure: the road travelled and the road left.' },
    { name: 'Webhooks', description: 'Signed event deliveries to your HTTPS endpoints (Standard Webhooks), with their attempts.' },
    { name: 'Diagnostics', description: 'Why: the attitude paradox, attitude decay, what clients blame, the service-profit link, and findings.' },
  ],
};

/** The document of `app`: its routes, the security schemes they name and the fixed parts. */
export function generateOpenApiDocument(app: AppRouter) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sck_…',
    description:
      'A tenant API key: `Authorization: Bearer sck_…`. The names in an operation\'s requirement are the scopes ' +
      'the key needs (`admin` implies all).',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'partnerOAuth', {
    type: 'oauth2',
    description:
      'A partner app acting for a tenant: OAuth 2.0 client credentials (RFC 6749 §4.4). Access tokens are JWTs ' +
      '(RFC 9068, `typ: at+jwt`) handled per RFC8725 (JWT Best Current Practices): ES256 only, `typ`, `iss`, `aud` ' +
      'and `exp` checked, valid 15 minutes; no refresh tokens (RFC 6749 §4.4.3), the client asks again.',
    flows: {
      clientCredentials: {
        tokenUrl: '/oauth/token',
        scopes: {
          'ratings:write': 'Send external and internal ratings.',
          'ratings:read': 'Read and export external ratings.',
          'reports:read': 'Read scorecards, diagnostics and benchmarks.',
          admin: 'Manage the tenant: settings, API keys, partner clients, audit log. Implies every scope.',
        },
      },
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'partnerClient', {
    type: 'http',
    scheme: 'basic',
    description:
      "A partner client's `client_id:client_secret`, each form-urlencoded (RFC 6749 §2.3.1), at `/oauth/token` only; " +
      'the two may instead be sent in the form body.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operatorToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token (`OPERATOR_TOKEN` secret), for creating tenants.',
  });
  return app.getOpenAPI31Document(documentConfig);
}
