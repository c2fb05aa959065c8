ALTER TABLE "targets" DROP CONSTRAINT "targets_tenant_id_measure_pk";--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "unit_id" uuid;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "baseline_value" double precision;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "baseline_from" date;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "baseline_to" date;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "deadline" date;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_tenant_id_unit_id_units_tenant_id_id_fk" FOREIGN KEY ("tenant_id","unit_id") REFERENCES "public"."units"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_tenant_id_unit_id_measure_unique" UNIQUE NULLS NOT DISTINCT("tenant_id","unit_id","measure");--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_baseline_whole" CHECK (("targets"."baseline_value" is null) = ("targets"."baseline_from" is null) and ("targets"."baseline_from" is null) = ("targets"."baseline_to" is null));