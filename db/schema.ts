import { boolean, char, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
export const API_KEY_SCOPES = ['ratings:write', 'ratings:read', 'reports:read', 'admin'] as const;

export const industry = pgEnum('industry', INDUSTRIES);
export const sizeBand = pgEnum('size_band', SIZE_BANDS);
export const apiKeyScope = pgEnum('api_key_scope', API_KEY_SCOPES);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** One organization. Everything tenant-owned hangs off this id. */
export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  industry: industry('industry').notNull(),
  sizeBand: sizeBand('size_band').notNull(),
  /** ISO 3166-1 alpha-2 country code. */
  region: char('region', { length: 2 }).notNull(),
  benchmarkOptIn: boolean('benchmark_opt_in').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A tenant admin's credential. Only the SHA-256 of the secret is kept; the secret is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the secret, so people can tell keys apart in lists and logs. */
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    scopes: apiKeyScope('scopes').array().notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_keys_tenant_id_idx').on(table.tenantId, table.createdAt.desc())],
);

export type Tenant = typeof tenants.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
