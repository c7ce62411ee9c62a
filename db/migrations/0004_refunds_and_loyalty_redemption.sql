CREATE TYPE "public"."payment_refund_state" AS ENUM('requested', 'pending', 'completed', 'failed');--> statement-breakpoint
ALTER TABLE "loyalty_rules" ADD COLUMN "reward_value_cents" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "loyalty_reward_id" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "loyalty_points_redeemed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "discount_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_state" "payment_refund_state";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "provider_refund_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_cents" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_failure_code" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "pos_refund_state" "pos_sync_state";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "pos_refund_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_loyalty_reward_id_loyalty_rules_id_fk" FOREIGN KEY ("loyalty_reward_id") REFERENCES "public"."loyalty_rules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_refund_open_idx" ON "payments" USING btree ("refund_requested_at") WHERE "payments"."refund_state" in ('requested', 'pending');--> statement-breakpoint
CREATE INDEX "payments_pos_refund_pending_idx" ON "payments" USING btree ("refunded_at") WHERE "payments"."pos_refund_state" = 'pending';