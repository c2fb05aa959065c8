ALTER TYPE "public"."measure" ADD VALUE 'leadershipSupport';--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "client_request_id" text;--> statement-breakpoint
ALTER TABLE "benchmark_positions" ADD COLUMN "cohort_value" text NOT NULL;