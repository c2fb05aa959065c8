CREATE TYPE "public"."channel" AS ENUM('in-person', 'phone', 'email', 'chat', 'web', 'mobile-app', 'social-media', 'other');--> statement-breakpoint
CREATE TYPE "public"."customer_kind" AS ENUM('occasional', 'recurring');--> statement-breakpoint
CREATE TYPE "public"."service_component" AS ENUM('product', 'procedures', 'facilities', 'systems-equipment', 'information', 'people');--> statement-breakpoint
CREATE TYPE "public"."staff_role" AS ENUM('frontline', 'support', 'leader');--> statement-breakpoint
CREATE TYPE "public"."tenure_band" AS ENUM('new', 'established');--> statement-breakpoint
CREATE TYPE "public"."unit_kind" AS ENUM('touchpoint', 'internal-supplier');--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'external_ratings.erased';--> statement-breakpoint
CREATE TABLE "external_ratings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"quality" smallint,
	"quantity" smallint,
	"opportunity" smallint,
	"cost" smallint,
	"overall" smallint NOT NULL,
	"recommend" smallint,
	"customer_kind" "customer_kind" NOT NULL,
	"channel" "channel" NOT NULL,
	"blamed_component" "service_component",
	"blames_attitude" boolean,
	"comment" text,
	"customer_ref_hash" text,
	CONSTRAINT "external_ratings_indicators" CHECK ("external_ratings"."quality" between 1 and 5 and "external_ratings"."quantity" between 1 and 5 and "external_ratings"."opportunity" between 1 and 5 and "external_ratings"."cost" between 1 and 5 and "external_ratings"."overall" between 1 and 5),
	CONSTRAINT "external_ratings_some_indicator" CHECK (coalesce("external_ratings"."quality", "external_ratings"."quantity", "external_ratings"."opportunity", "external_ratings"."cost") is not null),
	CONSTRAINT "external_ratings_recommend" CHECK ("external_ratings"."recommend" between 0 and 10),
	CONSTRAINT "external_ratings_comment_length" CHECK (char_length("external_ratings"."comment") <= 2000)
);
--> statement-breakpoint
ALTER TABLE "external_ratings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "external_rollups" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"customer_kind" "customer_kind" NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"quality_n" integer DEFAULT 0 NOT NULL,
	"quality_sum" integer DEFAULT 0 NOT NULL,
	"quality_sum_sq" integer DEFAULT 0 NOT NULL,
	"quantity_n" integer DEFAULT 0 NOT NULL,
	"quantity_sum" integer DEFAULT 0 NOT NULL,
	"quantity_sum_sq" integer DEFAULT 0 NOT NULL,
	"opportunity_n" integer DEFAULT 0 NOT NULL,
	"opportunity_sum" integer DEFAULT 0 NOT NULL,
	"opportunity_sum_sq" integer DEFAULT 0 NOT NULL,
	"cost_n" integer DEFAULT 0 NOT NULL,
	"cost_sum" integer DEFAULT 0 NOT NULL,
	"cost_sum_sq" integer DEFAULT 0 NOT NULL,
	"overall_sum" integer DEFAULT 0 NOT NULL,
	"overall_sum_sq" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied_blaming_attitude" integer DEFAULT 0 NOT NULL,
	"blaming_attitude" integer DEFAULT 0 NOT NULL,
	"recommend_n" integer DEFAULT 0 NOT NULL,
	"promoters" integer DEFAULT 0 NOT NULL,
	"detractors" integer DEFAULT 0 NOT NULL,
	"blamed_product" integer DEFAULT 0 NOT NULL,
	"blamed_procedures" integer DEFAULT 0 NOT NULL,
	"blamed_facilities" integer DEFAULT 0 NOT NULL,
	"blamed_systems_equipment" integer DEFAULT 0 NOT NULL,
	"blamed_information" integer DEFAULT 0 NOT NULL,
	"blamed_people" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "external_rollups_tenant_id_unit_id_day_customer_kind_pk" PRIMARY KEY("tenant_id","unit_id","day","customer_kind")
);
--> statement-breakpoint
ALTER TABLE "external_rollups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"tenant_id" uuid NOT NULL,
	"credential_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"request_id" text NOT NULL,
	"response_status" smallint NOT NULL,
	"response_body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_tenant_id_credential_id_key_pk" PRIMARY KEY("tenant_id","credential_id","key")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "internal_ratings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"occurred_on" date NOT NULL,
	"commitments" smallint NOT NULL,
	"internal_culture" smallint NOT NULL,
	"empowerment" smallint NOT NULL,
	"recognition" smallint NOT NULL,
	"leadership_support" smallint NOT NULL,
	"knowledge" smallint NOT NULL,
	"ability" smallint NOT NULL,
	"willingness" smallint NOT NULL,
	"tenure_band" "tenure_band" NOT NULL,
	"role" "staff_role" NOT NULL,
	"recommend_employer" smallint,
	CONSTRAINT "internal_ratings_scores" CHECK ("internal_ratings"."commitments" between 1 and 5 and "internal_ratings"."internal_culture" between 1 and 5 and "internal_ratings"."empowerment" between 1 and 5 and "internal_ratings"."recognition" between 1 and 5 and "internal_ratings"."leadership_support" between 1 and 5 and "internal_ratings"."knowledge" between 1 and 5 and "internal_ratings"."ability" between 1 and 5 and "internal_ratings"."willingness" between 1 and 5),
	CONSTRAINT "internal_ratings_recommend_employer" CHECK ("internal_ratings"."recommend_employer" between 0 and 10)
);
--> statement-breakpoint
ALTER TABLE "internal_ratings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "internal_rollups" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"tenure_band" "tenure_band" NOT NULL,
	"role" "staff_role" NOT NULL,
	"respondents" integer DEFAULT 0 NOT NULL,
	"commitments_sum" integer DEFAULT 0 NOT NULL,
	"commitments_sum_sq" integer DEFAULT 0 NOT NULL,
	"internal_culture_sum" integer DEFAULT 0 NOT NULL,
	"internal_culture_sum_sq" integer DEFAULT 0 NOT NULL,
	"empowerment_sum" integer DEFAULT 0 NOT NULL,
	"empowerment_sum_sq" integer DEFAULT 0 NOT NULL,
	"recognition_sum" integer DEFAULT 0 NOT NULL,
	"recognition_sum_sq" integer DEFAULT 0 NOT NULL,
	"leadership_support_sum" integer DEFAULT 0 NOT NULL,
	"leadership_support_sum_sq" integer DEFAULT 0 NOT NULL,
	"knowledge_sum" integer DEFAULT 0 NOT NULL,
	"knowledge_sum_sq" integer DEFAULT 0 NOT NULL,
	"ability_sum" integer DEFAULT 0 NOT NULL,
	"ability_sum_sq" integer DEFAULT 0 NOT NULL,
	"willingness_sum" integer DEFAULT 0 NOT NULL,
	"willingness_sum_sq" integer DEFAULT 0 NOT NULL,
	"support_total_sum" integer DEFAULT 0 NOT NULL,
	"support_total_sum_sq" integer DEFAULT 0 NOT NULL,
	"willingness_favourable" integer DEFAULT 0 NOT NULL,
	"recommend_employer_n" integer DEFAULT 0 NOT NULL,
	"employer_promoters" integer DEFAULT 0 NOT NULL,
	"employer_detractors" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "internal_rollups_tenant_id_unit_id_day_tenure_band_role_pk" PRIMARY KEY("tenant_id","unit_id","day","tenure_band","role")
);
--> statement-breakpoint
ALTER TABLE "internal_rollups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"parent_id" uuid,
	"external_ref" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_tenant_id_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "units_tenant_id_external_ref_unique" UNIQUE("tenant_id","external_ref")
);
--> statement-breakpoint
ALTER TABLE "units" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD CONSTRAINT "external_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD CONSTRAINT "external_rollups_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_rollups" ADD CONSTRAINT "internal_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "internal_rollups" ADD CONSTRAINT "internal_rollups_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_tenant_id_parent_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","parent_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "external_ratings_tenant_id_idx" ON "external_ratings" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "external_ratings_unit_idx" ON "external_ratings" USING btree ("tenant_id","unit_id","occurred_at");--> statement-breakpoint
CREATE INDEX "external_ratings_customer_ref_idx" ON "external_ratings" USING btree ("tenant_id","customer_ref_hash");--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "internal_ratings_unit_idx" ON "internal_ratings" USING btree ("tenant_id","unit_id","occurred_on");--> statement-breakpoint
CREATE INDEX "units_tenant_id_idx" ON "units" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "external_ratings" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("external_ratings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("external_ratings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "external_rollups" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("external_rollups"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("external_rollups"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "idempotency_keys" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("idempotency_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("idempotency_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "internal_ratings" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("internal_ratings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("internal_ratings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "internal_rollups" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("internal_rollups"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("internal_rollups"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "units" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("units"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("units"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);