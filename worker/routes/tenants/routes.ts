import { createRoute, z } from '@hono/zod-openapi';
import { INDUSTRIES, SIZE_BANDS } from '../../../db/schema.ts';
import { operatorAuth, tenantSecurity } from '../../http/auth.ts';
import { AUTHENTICATED_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { text, timestamp, uuid } from '../../http/schemas.ts';
import { IDEMPOTENCY_PROBLEMS, IdempotencyHeadersSchema } from '../../http/idempotency.ts';
import { isRegionCode } from '../../domain/regions.ts';
import { CreatedApiKeySchema } from '../api-keys/routes.ts';

const tags = ['Tenants'];

const name = text().trim().min(1).max(200).openapi({ example: 'Acme Insurance' });
const industry = z.enum(INDUSTRIES).openapi({ description: 'Benchmark cohort by industry.', example: 'insurance' });
const sizeBand = z.enum(SIZE_BANDS).openapi({ description: 'Employees, as a band.', example: '250-999' });
const region = z
  .string()
  .length(2)
  .refine(isRegionCode, { message: 'Expected an ISO 3166-1 alpha-2 country code in capitals, such as "ES" or "MX"' })
  .openapi({ description: 'ISO 3166-1 alpha-2 country code.', example: 'ES', pattern: '^[A-Z]{2}$' });
/** A browser origin as the Origin header sends it: scheme, host and port only; https, or http on loopback. */
const origin = z
  .string()
  .max(255)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
        return url.origin === value && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
      } catch {
        return false;
      }
    },
    { message: 'Expected an origin such as "https://app.example.com": https (http only on localhost), no path or trailing slash' },
  );
const allowedOrigins = z.array(origin).max(20).openapi({
  description: 'Browser origins of partner apps allowed to call the API from a page (CORS). At most 20.',
  example: ['https://helpdesk.example.com'],
});
const benchmarkOptIn = z.boolean().openapi({
  description: 'Whether the tenant takes part in the benchmark pool (its figures count, anonymously, for peers).',
});

export const TenantSchema = z
  .object({
    id: uuid(),
    name,
    industry,
    sizeBand,
    region,
    benchmarkOptIn,
    allowedOrigins,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Tenant', {
    example: {
      id: '01a20a57-a1c4-7d2e-9f10-3b5c7d9e1f20',
      name: 'Acme Insurance',
      industry: 'insurance',
      sizeBand: '250-999',
      region: 'ES',
      benchmarkOptIn: true,
      allowedOrigins: ['https://helpdesk.example.com'],
      createdAt: '2026-11-02T09:14:00.000Z',
      updatedAt: '2026-11-02T09:14:00.000Z',
    },
  });

const UpdatedTenantSchema = TenantSchema.extend({
  benchmarkCohorts: z
    .object({
      takesEffect: z.literal('nextSnapshot'),
      detail: z.string(),
    })
    .optional()
    .openapi({ description: 'Present when `industry`, `sizeBand` or `region` changed: when the new cohorts count.' }),
}).openapi('UpdatedTenant');

const CreateTenantSchema = z
  .strictObject({
    name,
    industry,
    sizeBand,
    region,
    benchmarkOptIn: benchmarkOptIn.default(false),
    allowedOrigins: allowedOrigins.default([]),
  })
  .openapi('CreateTenant');

const UpdateTenantSchema = z
  .strictObject({
    name: name.optional(),
    industry: industry.optional(),
    sizeBand: sizeBand.optional(),
    region: region.optional(),
    benchmarkOptIn: benchmarkOptIn.optional(),
    allowedOrigins: allowedOrigins.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, { message: 'Send at least one field to change' })
  .openapi('UpdateTenant');

export const createTenant = createRoute({
  method: 'post',
  path: '/v1/tenants',
  operationId: 'createTenant',
  summary: 'Create a tenant (operator)',
  description:
    'Creates an organization and its first admin API key, whose secret this response shows once. Send an ' +
    '`Idempotency-Key` so that a retry cannot create a second tenant: the new tenant’s id is derived from the key, ' +
    'and a replay shows the key without its secret.',
  tags,
  security: [{ operatorToken: [] }],
  middleware: [operatorAuth()] as const,
  request: {
    headers: IdempotencyHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: CreateTenantSchema } } },
  },
  responses: {
    201: {
      description: 'The tenant and its first API key.',
      content: {
        'application/json': {
          schema: z.object({ tenant: TenantSchema, apiKey: CreatedApiKeySchema }).openapi('CreatedTenant'),
        },
      },
    },
    ...problemResponses(AUTHENTICATED_PROBLEMS, JSON_BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS, 'conflict'),
  },
});

export const getTenant = createRoute({
  method: 'get',
  path: '/v1/tenant',
  operationId: 'getTenant',
  summary: "Get the caller's tenant",
  description: 'The organization the credential belongs to and its settings. Any valid credential may read it.',
  tags,
  ...tenantSecurity(),
  responses: {
    200: { description: 'The tenant the credential belongs to.', content: { 'application/json': { schema: TenantSchema } } },
    ...problemResponses(AUTHENTICATED_PROBLEMS),
  },
});

export const updateTenant = createRoute({
  method: 'patch',
  path: '/v1/tenant',
  operationId: 'updateTenant',
  summary: "Update the caller's tenant settings",
  description:
    'Changes only the fields sent. Needs the `admin` scope. A change of `industry`, `sizeBand` or `region` is audited ' +
    'with the values before and after, and moves the tenant to its new benchmark cohorts at the next snapshot (the answer ' +
    'says so in `benchmarkCohorts`): snapshots freeze each participant\'s cohorts, so no rank mixes two of them.',
  tags,
  ...tenantSecurity('admin'),
  request: { body: { required: true, content: { 'application/json': { schema: UpdateTenantSchema } } } },
  responses: {
    200: { description: 'The updated tenant.', content: { 'application/json': { schema: UpdatedTenantSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, JSON_BODY_PROBLEMS),
  },
});

export type CreateTenantRoute = typeof createTenant;
export type GetTenantRoute = typeof getTenant;
export type UpdateTenantRoute = typeof updateTenant;
