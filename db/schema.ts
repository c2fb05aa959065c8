import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  char,
  index,
  jsonb,
  pgEnum,
  pgPolicy,
  pgRole,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Benchmark cohorts group tenants by these, so they are closed vocabularies, not free text. */
export const INDUSTRIES = [
  'banking',
  'insurance',
  'retail',
  'hospitality',
  'healthcare',
  'telecommunications',
  'utilities',
  'transport-logistics',
  'manufacturing',
  'technology',
  'professional-services',
  'education',
  'public-sector',
  'other',
] as const;
export const SIZE_BANDS = ['1-49', '50-249', '250-999', '1000+'] as const;
/** What a credential may do; `admin` implies every other scope. */
export const SCOPES = ['ratings:write', 'ratings:read', 'reports:read', 'admin'] as const;
export const AUDIT_ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'partner_client.created',
  'partner_client.revoked',
  /** A revoked credential was presented. */
  'credential.refused',
] as const;
export const ACTOR_TYPES = ['operator', 'api_key', 'partner_client'] as const;

export const industry = pgEnum('industry', INDUSTRIES);
export const sizeBand = pgEnum('size_band', SIZE_BANDS);
export const scope = pgEnum('scope', SCOPES);
export const auditAction = pgEnum('audit_action', AUDIT_ACTIONS);
export const actorType = pgEnum('actor_type', ACTOR_TYPES);

/**
 * The role the worker's database user belongs to. It owns nothing and cannot bypass row-level
 * security, so every row it touches passes a tenant policy. Migrations run as the tables' owner.
 */
export const appRole = pgRole('service_culture_app');

/** The tenant of the current transaction, set by `set_config('app.tenant_id', id, true)`; '' reads as none. */
export const currentTenantId = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

/** Rows of another tenant, or of no tenant, are invisible and cannot be written. */
function tenantIsolation(column: AnyPgColumn, operations: 'all' | 'select' | 'insert' = 'all') {
  const rule: SQL = sql`${column} = ${currentTenantId}`;
  return pgPolicy(`tenant_isolation_${operations}`, {
    to: appRole,
    for: operations,
    ...(operations === 'insert' ? {} : { using: rule }),
    ...(operations === 'select' ? {} : { withCheck: rule }),
  });
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** One organization. Everything tenant-owned hangs off this id. */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    industry: industry('industry').notNull(),
    sizeBand: sizeBand('size_band').notNull(),
    /** ISO 3166-1 alpha-2 country code. */
    region: char('region', { length: 2 }).notNull(),
    benchmarkOptIn: boolean('benchmark_opt_in').notNull().default(false),
    /** Browser origins of partner apps allowed to read API responses (CORS). */
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [tenantIsolation(table.id)],
);

/** A tenant admin's credential. Only the SHA-256 of the secret is kept; the secret is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    /** The first characters of the secret, so people can tell keys apart in lists and logs. */
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    scopes: scope('scopes').array().notNull(),
    /** The key this one replaced by rotation, if any. */
    rotatedFromId: uuid('rotated_from_id'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_keys_tenant_id_idx').on(table.tenantId, table.id.desc()), tenantIsolation(table.tenantId)],
);

/** A partner app (helpdesk, CRM, kiosk) acting for a tenant through OAuth 2.0 client credentials. */
export const partnerClients = pgTable(
  'partner_clients',
  {
    /** The OAuth `client_id`. */
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: scope('scopes').array().notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    index('partner_clients_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * Append-only record of security-relevant changes. The app role may only insert and read (grants
 * in migration 0001), and a trigger refuses updates and deletes from anyone.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    action: auditAction('action').notNull(),
    actorType: actorType('actor_type').notNull(),
    /** Key id or client id of the actor (never a secret); null for the operator. */
    actorId: uuid('actor_id'),
    /** The credential, client or tenant acted on. */
    targetId: uuid('target_id'),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index('audit_events_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId, 'select'),
    tenantIsolation(table.tenantId, 'insert'),
  ],
);

export type Tenant = typeof tenants.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type PartnerClient = typeof partnerClients.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Scope = (typeof SCOPES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
