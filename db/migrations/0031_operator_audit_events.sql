CREATE TYPE "public"."operator_actor_type" AS ENUM('operator', 'schedule');--> statement-breakpoint
CREATE TYPE "public"."operator_audit_action" AS ENUM('job_run.started');--> statement-breakpoint
CREATE TABLE "operator_audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" "operator_audit_action" NOT NULL,
	"actor_type" "operator_actor_type" NOT NULL,
	"target_id" uuid,
	"request_id" text,
	"client_request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "operator_audit_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "operator_only" ON "operator_audit_events" AS PERMISSIVE FOR ALL TO "service_culture_app" USING (nullif(current_setting('app.tenant_id', true), '')::uuid is null) WITH CHECK (nullif(current_setting('app.tenant_id', true), '')::uuid is null);