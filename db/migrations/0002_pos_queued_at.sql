ALTER TABLE "orders" ADD COLUMN "pos_queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "pos_queued_at" timestamp with time zone;