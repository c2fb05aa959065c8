CREATE TYPE "public"."actor_type" AS ENUM('operator', 'api_key', 'partner_client');--> statement-breakpoint
CREATE TYPE "public"."audit_action" AS ENUM('tenant.created', 'tenant.updated', 'api_key.created', 'api_key.rotated', 'api_key.revoked', 'partner_client.created', 'partner_client.revoked', 'credential.refused');--> statement-breakpoint
CREATE TYPE "public"."industry" AS ENUM('banking', 'insurance', 'retail', 'hospitality', 'healthcare', 'telecommunications', 'utilities', 'transport-logistics', 'manufacturing', 'technology', 'professional-services', 'education', 'public-sector', 'other');--> statement-breakpoint
CREATE TYPE "public"."scope" AS ENUM('ratings:write', 'ratings:read', 'reports:read', 'admin');--> statement-breakpoint
CREATE TYPE "public"."size_band" AS ENUM('1-49', '50-249', '250-999', '1000+');--> statement-breakpoint
CREATE ROLE "service_culture_app";--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"display_prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" "scope"[] NOT NULL,
	"rotated_from_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" "audit_action" NOT NULL,
	"actor_type" "actor_type" NOT NULL,
	"actor_id" uuid,
	"target_id" uuid,
	"request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "partner_clients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"display_prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" "scope"[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "partner_clients" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"industry" "industry" NOT NULL,
	"size_band" "size_band" NOT NULL,
	"region" char(2) NOT NULL,
	"benchmark_opt_in" boolean DEFAULT false NOT NULL,
	"allowed_origins" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_clients" ADD CONSTRAINT "partner_clients_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_id_idx" ON "api_keys" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_tenant_id_idx" ON "audit_events" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "partner_clients_tenant_id_idx" ON "partner_clients" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "api_keys" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("api_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("api_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_select" ON "audit_events" AS PERMISSIVE FOR SELECT TO "service_culture_app" USING ("audit_events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_insert" ON "audit_events" AS PERMISSIVE FOR INSERT TO "service_culture_app" WITH CHECK ("audit_events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "partner_clients" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("partner_clients"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("partner_clients"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "tenants" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("tenants"."id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenants"."id" = nullif(current_setting('app.tenant_id', true), '')::uuid);