ALTER TYPE "public"."payment_method" ADD VALUE 'external';--> statement-breakpoint
CREATE TABLE "menu_item_branch_overrides" (
	"branch_id" integer NOT NULL,
	"menu_item_id" integer NOT NULL,
	"restaurant_id" integer NOT NULL,
	"available" boolean NOT NULL,
	"pos_fingerprint" text NOT NULL,
	"set_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "menu_item_branch_overrides_branch_id_menu_item_id_pk" PRIMARY KEY("branch_id","menu_item_id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "loyalty_points" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "pos_create_attempted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "loyalty_points_earned" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "pos_cancel_state" "pos_sync_state";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "provider_payment_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "provider_source_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "failure_code" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "pos_connections" ADD COLUMN "rate_limit_per_second" integer;--> statement-breakpoint
ALTER TABLE "pos_connections" ADD COLUMN "rate_limit_burst" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "auth_subject" text;--> statement-breakpoint
ALTER TABLE "menu_item_branch_overrides" ADD CONSTRAINT "menu_item_branch_overrides_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_item_branch_overrides" ADD CONSTRAINT "menu_item_branch_overrides_menu_item_id_menu_items_id_fk" FOREIGN KEY ("menu_item_id") REFERENCES "public"."menu_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_item_branch_overrides" ADD CONSTRAINT "menu_item_branch_overrides_restaurant_id_restaurants_id_fk" FOREIGN KEY ("restaurant_id") REFERENCES "public"."restaurants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_item_branch_overrides" ADD CONSTRAINT "menu_item_branch_overrides_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "menu_item_branch_overrides_restaurant_idx" ON "menu_item_branch_overrides" USING btree ("restaurant_id");--> statement-breakpoint
CREATE INDEX "orders_pos_cancel_pending_idx" ON "orders" USING btree ("pos_cancel_state","cancelled_at") WHERE "orders"."pos_cancel_state" = 'pending';--> statement-breakpoint
CREATE INDEX "payments_provider_pending_idx" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_auth_subject_unique" UNIQUE("auth_subject");