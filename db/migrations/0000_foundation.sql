CREATE TYPE "public"."api_key_scope" AS ENUM('ratings:write', 'ratings:read', 'reports:read', 'admin');--> statement-breakpoint
CREATE TYPE "public"."industry" AS ENUM('banking', 'insurance', 'retail', 'hospitality', 'healthcare', 'telecommunications', 'utilities', 'transport-logistics', 'manufacturing', 'technology', 'professional-services', 'education', 'public-sector', 'other');--> statement-breakpoint
CREATE TYPE "public"."size_band" AS ENUM('1-49', '50-249', '250-999', '1000+');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"display_prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" "api_key_scope"[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"industry" "industry" NOT NULL,
	"size_band" "size_band" NOT NULL,
	"region" char(2) NOT NULL,
	"benchmark_opt_in" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_id_idx" ON "api_keys" USING btree ("tenant_id","created_at" DESC NULLS LAST);