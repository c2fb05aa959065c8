ALTER TYPE "public"."audit_action" ADD VALUE 'webhook_endpoint.updated';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'webhook_endpoint.tested';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'webhook_delivery.redelivered';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'unit.created';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'unit.updated';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'unit.archived';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'unit.deleted';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'targets.updated';--> statement-breakpoint
ALTER TYPE "public"."audit_action" ADD VALUE 'external_ratings.exported';--> statement-breakpoint
ALTER TYPE "public"."webhook_event_type" ADD VALUE 'webhook.test';