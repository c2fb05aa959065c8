ALTER TYPE "public"."measure" ADD VALUE 'effort';--> statement-breakpoint
ALTER TABLE "external_ratings" DROP CONSTRAINT "external_ratings_indicators";--> statement-breakpoint
ALTER TABLE "external_ratings" DROP CONSTRAINT "external_ratings_recommend";--> statement-breakpoint
ALTER TABLE "internal_ratings" DROP CONSTRAINT "internal_ratings_scores";--> statement-breakpoint
ALTER TABLE "internal_ratings" DROP CONSTRAINT "internal_ratings_recommend_employer";--> statement-breakpoint
ALTER TABLE "external_ratings" ADD COLUMN "effort" smallint;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_n" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_sum" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_rollups" ADD COLUMN "effort_sum_sq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_quality_range" CHECK ("external_ratings"."quality" between 1 and 5);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_quantity_range" CHECK ("external_ratings"."quantity" between 1 and 5);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_opportunity_range" CHECK ("external_ratings"."opportunity" between 1 and 5);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_cost_range" CHECK ("external_ratings"."cost" between 1 and 5);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_overall_range" CHECK ("external_ratings"."overall" between 1 and 5);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_recommend_range" CHECK ("external_ratings"."recommend" between 0 and 10);--> statement-breakpoint
ALTER TABLE "external_ratings" ADD CONSTRAINT "external_ratings_effort_range" CHECK ("external_ratings"."effort" between 1 and 7);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_recommend_employer_range" CHECK ("internal_ratings"."recommend_employer" between 0 and 10);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_willingness_range" CHECK ("internal_ratings"."willingness" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_leadership_support_range" CHECK ("internal_ratings"."leadership_support" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_commitments_range" CHECK ("internal_ratings"."commitments" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_internal_culture_range" CHECK ("internal_ratings"."internal_culture" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_empowerment_range" CHECK ("internal_ratings"."empowerment" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_recognition_range" CHECK ("internal_ratings"."recognition" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_knowledge_range" CHECK ("internal_ratings"."knowledge" between 1 and 5);--> statement-breakpoint
ALTER TABLE "internal_ratings" ADD CONSTRAINT "internal_ratings_ability_range" CHECK ("internal_ratings"."ability" between 1 and 5);