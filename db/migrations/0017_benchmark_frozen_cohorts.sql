ALTER TYPE "public"."measure" ADD VALUE 'leadershipSupport';--> statement-breakpoint
ALTER TABLE "benchmark_positions" ADD COLUMN "cohort_value" text NOT NULL;