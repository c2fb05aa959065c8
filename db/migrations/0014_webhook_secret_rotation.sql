ALTER TYPE "public"."audit_action" ADD VALUE 'webhook_endpoint.secret_rotated' BEFORE 'webhook_endpoint.disabled';--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;