ALTER TYPE "public"."measure" ADD VALUE 'effort';--> statement-breakpoint
ALTER TABLE "external_ratings" ADD COLUMN "effort" smallint;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_n" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_sum" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_sum_sq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_effort_range" CHECK ("external_ratings"."effort" between 1 and 7);