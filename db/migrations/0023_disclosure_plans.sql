CREATE TABLE "disclosure_plans" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"month" date,
	"plan_version" bigint,
	"plan" jsonb
);
--> statement-breakpoint
ALTER TABLE "disclosure_plans" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "disclosure_plans" ADD CONSTRAINT "disclosure_plans_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "disclosure_plans" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("disclosure_plans"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("disclosure_plans"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);