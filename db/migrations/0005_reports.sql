CREATE TYPE "public"."cohort_kind" AS ENUM('all', 'industry', 'sizeBand', 'region');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."measure" AS ENUM('quality', 'quantity', 'opportunity', 'cost', 'overall', 'csat', 'nps', 'enps', 'supportIndex', 'willingness', 'attitudeBlameShare');--> statement-breakpoint
CREATE TYPE "public"."period_kind" AS ENUM('month', 'quarter');--> statement-breakpoint
CREATE TABLE "benchmark_cohort_stats" (
	"snapshot_id" uuid NOT NULL,
	"measure" "measure" NOT NULL,
	"cohort_kind" "cohort_kind" NOT NULL,
	"cohort_value" text NOT NULL,
	"organizations" integer NOT NULL,
	"mean" double precision NOT NULL,
	"p10" double precision NOT NULL,
	"p25" double precision NOT NULL,
	"median" double precision NOT NULL,
	"p75" double precision NOT NULL,
	"p90" double precision NOT NULL,
	CONSTRAINT "benchmark_cohort_stats_snapshot_id_measure_cohort_kind_cohort_value_pk" PRIMARY KEY("snapshot_id","measure","cohort_kind","cohort_value")
);
--> statement-breakpoint
ALTER TABLE "benchmark_cohort_stats" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "benchmark_positions" (
	"snapshot_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"measure" "measure" NOT NULL,
	"cohort_kind" "cohort_kind" NOT NULL,
	"value" double precision NOT NULL,
	"percentile_rank" double precision NOT NULL,
	CONSTRAINT "benchmark_positions_snapshot_id_tenant_id_measure_cohort_kind_pk" PRIMARY KEY("snapshot_id","tenant_id","measure","cohort_kind")
);
--> statement-breakpoint
ALTER TABLE "benchmark_positions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "benchmark_snapshots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"period_kind" "period_kind" NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"job_run_id" uuid NOT NULL,
	CONSTRAINT "benchmark_snapshots_period_unique" UNIQUE("period_kind","period_start")
);
--> statement-breakpoint
ALTER TABLE "benchmark_snapshots" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"trigger" text NOT NULL,
	"status" "job_status" NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "job_runs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "targets" (
	"tenant_id" uuid NOT NULL,
	"measure" "measure" NOT NULL,
	"target" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "targets_tenant_id_measure_pk" PRIMARY KEY("tenant_id","measure")
);
--> statement-breakpoint
ALTER TABLE "targets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "benchmark_cohort_stats" ADD CONSTRAINT "benchmark_cohort_stats_snapshot_id_benchmark_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."benchmark_snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benchmark_positions" ADD CONSTRAINT "benchmark_positions_snapshot_id_benchmark_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."benchmark_snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benchmark_positions" ADD CONSTRAINT "benchmark_positions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benchmark_snapshots" ADD CONSTRAINT "benchmark_snapshots_job_run_id_job_runs_id_fk" FOREIGN KEY ("job_run_id") REFERENCES "public"."job_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_runs_id_idx" ON "job_runs" USING btree ("id" DESC NULLS LAST);--> statement-breakpoint
CREATE POLICY "tenants_read" ON "benchmark_cohort_stats" AS PERMISSIVE FOR SELECT TO "service_culture_app" USING (true);--> statement-breakpoint
CREATE POLICY "operator_only" ON "benchmark_cohort_stats" AS PERMISSIVE FOR ALL TO "service_culture_app" USING (nullif(current_setting('app.tenant_id', true), '')::uuid is null) WITH CHECK (nullif(current_setting('app.tenant_id', true), '')::uuid is null);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "benchmark_positions" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("benchmark_positions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("benchmark_positions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenants_read" ON "benchmark_snapshots" AS PERMISSIVE FOR SELECT TO "service_culture_app" USING (true);--> statement-breakpoint
CREATE POLICY "operator_only" ON "benchmark_snapshots" AS PERMISSIVE FOR ALL TO "service_culture_app" USING (nullif(current_setting('app.tenant_id', true), '')::uuid is null) WITH CHECK (nullif(current_setting('app.tenant_id', true), '')::uuid is null);--> statement-breakpoint
CREATE POLICY "operator_only" ON "job_runs" AS PERMISSIVE FOR ALL TO "service_culture_app" USING (nullif(current_setting('app.tenant_id', true), '')::uuid is null) WITH CHECK (nullif(current_setting('app.tenant_id', true), '')::uuid is null);--> statement-breakpoint
CREATE POLICY "tenant_isolation_all" ON "targets" AS PERMISSIVE FOR ALL TO "service_culture_app" USING ("targets"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("targets"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);