CREATE TYPE "public"."target_side" AS ENUM('met', 'unmet');--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "last_side" "target_side";--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "last_value" double precision;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "evaluated_at" timestamp with time zone;