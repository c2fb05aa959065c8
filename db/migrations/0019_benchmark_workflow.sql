ALTER TYPE "public"."job_status" ADD VALUE 'queued' BEFORE 'running';--> statement-breakpoint
CREATE TABLE "job_run_steps" (
	"job_run_id" uuid NOT NULL,
	"step" text NOT NULL,
	"tenants" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_run_steps_job_run_id_step_pk" PRIMARY KEY("job_run_id","step")
);
--> statement-breakpoint
ALTER TABLE "job_run_steps" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "benchmark_snapshots" DROP CONSTRAINT "benchmark_snapshots_period_unique";--> statement-breakpoint
ALTER TABLE "benchmark_snapshots" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "steps_total" integer;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "tenants_total" integer;--> statement-breakpoint
ALTER TABLE "job_run_steps" ADD CONSTRAINT "job_run_steps_job_run_id_job_runs_id_fk" FOREIGN KEY ("job_run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "benchmark_snapshots_period_published_idx" ON "benchmark_snapshots" USING btree ("period_kind","period_start") WHERE published_at is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_one_running_idx" ON "job_runs" USING btree ("job") WHERE status = 'running';--> statement-breakpoint
CREATE POLICY "operator_only" ON "job_run_steps" AS PERMISSIVE FOR ALL TO "service_culture_app" USING (nullif(current_setting('app.tenant_id', true), '')::uuid is null) WITH CHECK (nullif(current_setting('app.tenant_id', true), '')::uuid is null);