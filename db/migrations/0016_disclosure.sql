ALTER TYPE "public"."audit_action" ADD VALUE 'internal_ratings.recorded';--> statement-breakpoint
ALTER TYPE "public"."scope" ADD VALUE 'internal-ratings:write';--> statement-breakpoint
CREATE TABLE "unit_parent_history" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"parent_id" uuid,
	"valid_from" timestamp (6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_parent_history_tenant_id_unit_id_valid_from_pk" PRIMARY KEY("tenant_id","unit_id","valid_from")
);
--> statement-breakpoint
ALTER TABLE "unit_parent_history" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "unit_parent_history" ADD CONSTRAINT "unit_parent_history_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_parent_history" ADD CONSTRAINT "unit_parent_history_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation_select" ON "unit_parent_history" AS PERMISSIVE FOR SELECT TO "service_culture_app" USING ("unit_parent_history"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);