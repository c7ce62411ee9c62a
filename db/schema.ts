import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const id = () => integer("id").primaryKey().generatedByDefaultAsIdentity();

export const memberRole = pgEnum("member_role", ["owner", "manager", "staff"]);
export const posType = pgEnum("pos_type", ["square", "toast", "local"]);
export const posConnectionStatus = pgEnum("pos_connection_status", ["active", "disabled", "error"]);
export const orderStatus = pgEnum("order_status", [
  "pending",
  "accepted",
  "preparing",
  "ready",
  "out_for_delivery",
  "completed",
  "cancelled",
]);
export const orderType = pgEnum("order_type", ["pickup", "delivery"]);
export const posSyncState = pgEnum("pos_sync_state", ["pending", "queued", "synced", "failed", "skipped"]);
export const paymentStatus = pgEnum("payment_status", ["pending", "authorized", "captured", "failed", "refunded"]);
/** `card`: charged through the payment provider; `cash` and `external` (card-present elsewhere): recorded by staff. */
/** A cancelled order's card refund at the payment provider: asked for, awaiting the provider, done, refused. */
export const paymentRefundState = pgEnum("payment_refund_state", ["requested", "pending", "completed", "failed"]);
export const paymentMethod = pgEnum("payment_method", ["card", "cash", "wallet", "external"]);
export const loyaltyRuleType = pgEnum("loyalty_rule_type", ["points_per_amount", "visit_bonus", "reward"]);

export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  isAdmin: boolean("is_admin").notNull().default(false),
  /** The OpenID Connect issuer's `sub` for this user (production sign-in); null for users it does not know. */
  authSubject: text("auth_subject").unique(),
  createdAt: createdAt(),
});

export const restaurants = pgTable(
  "restaurants",
  {
    id: id(),
    name: text("name").notNull(),
    slug: text("slug").notNull().unique(),
    active: boolean("active").notNull().default(true),
    timezone: text("timezone").notNull().default("UTC"),
    currency: text("currency").notNull().default("USD"),
    /** Operational settings (tax rate, delivery fee, opening hours, …). */
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("restaurants_active_idx").on(t.active, t.id)],
);

export const restaurantMembers = pgTable(
  "restaurant_members",
  {
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.restaurantId, t.userId] }), index("restaurant_members_user_idx").on(t.userId)],
);

export const branches = pgTable(
  "branches",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    address: text("address").notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("branches_restaurant_idx").on(t.restaurantId)],
);

export const menuCategories = pgTable(
  "menu_categories",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull().default(0),
    posExternalId: text("pos_external_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("menu_categories_restaurant_idx").on(t.restaurantId, t.position),
    uniqueIndex("menu_categories_pos_external_idx").on(t.restaurantId, t.posExternalId),
  ],
);

export const menuItems = pgTable(
  "menu_items",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    categoryId: integer("category_id")
      .notNull()
      .references(() => menuCategories.id, { onDelete: "cascade" }),
    /** Null: offered at every branch; set: a branch-specific item. */
    branchId: integer("branch_id").references(() => branches.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    priceCents: integer("price_cents").notNull(),
    available: boolean("available").notNull().default(true),
    posExternalId: text("pos_external_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("menu_items_restaurant_category_idx").on(t.restaurantId, t.categoryId),
    uniqueIndex("menu_items_pos_external_idx").on(t.restaurantId, t.posExternalId),
  ],
);

export const inventoryLevels = pgTable(
  "inventory_levels",
  {
    branchId: integer("branch_id")
      .notNull()
      .references(() => branches.id, { onDelete: "cascade" }),
    menuItemId: integer("menu_item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "cascade" }),
    quantity: integer("quantity").notNull(),
    lowStockThreshold: integer("low_stock_threshold").notNull().default(5),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.menuItemId] }), index("inventory_levels_item_idx").on(t.menuItemId)],
);

/**
 * A branch's own availability of a menu item (staff "86" it): wins over `menu_items.available` in
 * that branch's menu and orders. `posFingerprint` is the item's POS fields when it was set; a menu
 * pull that finds them changed drops the override (the POS changed the item), otherwise keeps it.
 */
export const menuItemBranchOverrides = pgTable(
  "menu_item_branch_overrides",
  {
    branchId: integer("branch_id")
      .notNull()
      .references(() => branches.id, { onDelete: "cascade" }),
    menuItemId: integer("menu_item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "cascade" }),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    available: boolean("available").notNull(),
    posFingerprint: text("pos_fingerprint").notNull(),
    setBy: integer("set_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.branchId, t.menuItemId] }),
    index("menu_item_branch_overrides_restaurant_idx").on(t.restaurantId),
  ],
);

export const inventoryAlerts = pgTable(
  "inventory_alerts",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    branchId: integer("branch_id")
      .notNull()
      .references(() => branches.id, { onDelete: "cascade" }),
    menuItemId: integer("menu_item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "cascade" }),
    quantity: integer("quantity").notNull(),
    threshold: integer("threshold").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("inventory_alerts_restaurant_idx").on(t.restaurantId, t.createdAt)],
);

export const customers = pgTable(
  "customers",
  {
    id: id(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    email: text("email").notNull(),
    phone: text("phone"),
    /** Loyalty points earned across the platform's restaurants (orders record what each earned). */
    loyaltyPoints: integer("loyalty_points").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("customers_user_idx").on(t.userId)],
);

export const loyaltyPrograms = pgTable(
  "loyalty_programs",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("loyalty_programs_restaurant_idx").on(t.restaurantId)],
);

export const loyaltyRules = pgTable(
  "loyalty_rules",
  {
    id: id(),
    programId: integer("program_id")
      .notNull()
      .references(() => loyaltyPrograms.id, { onDelete: "cascade" }),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    ruleType: loyaltyRuleType("rule_type").notNull(),
    /** points_per_amount: points per currency unit; visit_bonus: points per visit; reward: points it costs. */
    points: integer("points").notNull(),
    minOrderCents: integer("min_order_cents").notNull().default(0),
    rewardDescription: text("reward_description"),
    /** reward: what redeeming it takes off an order's subtotal; null means it cannot be redeemed online. */
    rewardValueCents: integer("reward_value_cents"),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("loyalty_rules_restaurant_idx").on(t.restaurantId)],
);

export const orders = pgTable(
  "orders",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    branchId: integer("branch_id")
      .notNull()
      .references(() => branches.id, { onDelete: "cascade" }),
    customerId: integer("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    status: orderStatus("status").notNull().default("pending"),
    type: orderType("type").notNull(),
    subtotalCents: integer("subtotal_cents").notNull(),
    taxCents: integer("tax_cents").notNull(),
    deliveryFeeCents: integer("delivery_fee_cents").notNull().default(0),
    totalCents: integer("total_cents").notNull(),
    currency: text("currency").notNull(),
    notes: text("notes"),
    posSyncState: posSyncState("pos_sync_state").notNull().default("pending"),
    posOrderId: text("pos_order_id"),
    posSyncedAt: timestamp("pos_synced_at", { withTimezone: true, mode: "date" }),
    /** When its sync job was last handed to the queue (the sweeper re-checks long-queued rows by it). */
    posQueuedAt: timestamp("pos_queued_at", { withTimezone: true, mode: "date" }),
    /**
     * Set (atomically, refused once the order is cancelled) before the first POS create call: null
     * means nothing about this order ever reached the POS, so a cancellation has nothing to undo there.
     */
    posCreateAttemptedAt: timestamp("pos_create_attempted_at", { withTimezone: true, mode: "date" }),
    /** Loyalty points this order earned its customer under the rules active when it was placed. */
    loyaltyPointsEarned: integer("loyalty_points_earned").notNull().default(0),
    /** The reward rule redeemed on this order (null: none), the points it cost and what it took off. */
    loyaltyRewardId: integer("loyalty_reward_id").references(() => loyaltyRules.id, { onDelete: "set null" }),
    loyaltyPointsRedeemed: integer("loyalty_points_redeemed").notNull().default(0),
    discountCents: integer("discount_cents").notNull().default(0),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true, mode: "date" }),
    cancelReason: text("cancel_reason"),
    /** Null until cancelled; then the POS side of the cancellation (OrderCancelToPOS). */
    posCancelState: posSyncState("pos_cancel_state"),
    idempotencyKey: text("idempotency_key"),
    /** SHA-256 of the canonical request body, to tell a replay from a conflicting reuse of the key. */
    requestHash: text("request_hash"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("orders_restaurant_created_idx").on(t.restaurantId, t.createdAt),
    index("orders_customer_idx").on(t.customerId, t.createdAt),
    uniqueIndex("orders_idempotency_idx").on(t.customerId, t.idempotencyKey),
    index("orders_pos_order_idx").on(t.restaurantId, t.posOrderId),
    index("orders_pos_pending_idx")
      .on(t.posSyncState, t.createdAt)
      .where(sql`${t.posSyncState} in ('pending', 'queued')`),
    index("orders_pos_cancel_pending_idx")
      .on(t.posCancelState, t.cancelledAt)
      .where(sql`${t.posCancelState} = 'pending'`),
  ],
);

export const orderItems = pgTable(
  "order_items",
  {
    id: id(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    menuItemId: integer("menu_item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    quantity: integer("quantity").notNull(),
    unitPriceCents: integer("unit_price_cents").notNull(),
    totalCents: integer("total_cents").notNull(),
  },
  (t) => [index("order_items_order_idx").on(t.orderId), index("order_items_menu_item_idx").on(t.menuItemId)],
);

export const payments = pgTable(
  "payments",
  {
    id: id(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    status: paymentStatus("status").notNull().default("pending"),
    amountCents: integer("amount_cents").notNull(),
    method: paymentMethod("method").notNull(),
    posSyncState: posSyncState("pos_sync_state").notNull().default("pending"),
    posPaymentId: text("pos_payment_id"),
    posSyncedAt: timestamp("pos_synced_at", { withTimezone: true, mode: "date" }),
    posQueuedAt: timestamp("pos_queued_at", { withTimezone: true, mode: "date" }),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    /** The payment provider's id of the charge (card payments), once the provider has answered. */
    providerPaymentId: text("provider_payment_id"),
    /** The payment source the provider charges (a Web Payments SDK token), kept to re-send the same charge. */
    providerSourceId: text("provider_source_id"),
    /** The provider's code when it declined the charge (e.g. `CARD_DECLINED`). */
    failureCode: text("failure_code"),
    /** Set when the order of a captured payment is cancelled: the money is owed back. */
    refundRequestedAt: timestamp("refund_requested_at", { withTimezone: true, mode: "date" }),
    /** Card payments only: the refund at the provider (RefundCardPayment). Null for cash, refunded in person. */
    refundState: paymentRefundState("refund_state"),
    /** The provider's id of the refund, once it has answered. */
    providerRefundId: text("provider_refund_id"),
    /** What the provider refunded; set with `refunded_at` only when it says COMPLETED. */
    refundedCents: integer("refunded_cents"),
    refundedAt: timestamp("refunded_at", { withTimezone: true, mode: "date" }),
    /** The provider's code when it refused the refund (REJECTED, FAILED or an error code). */
    refundFailureCode: text("refund_failure_code"),
    /** Null until the refund completed; then its way to the POS (RefundSyncToPOS). */
    posRefundState: posSyncState("pos_refund_state"),
    posRefundId: text("pos_refund_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("payments_order_idx").on(t.orderId),
    index("payments_provider_pending_idx").on(t.createdAt).where(sql`${t.status} = 'pending'`),
    index("payments_restaurant_created_idx").on(t.restaurantId, t.createdAt),
    uniqueIndex("payments_idempotency_idx").on(t.orderId, t.idempotencyKey),
    index("payments_pos_pending_idx")
      .on(t.posSyncState, t.createdAt)
      .where(sql`${t.posSyncState} in ('pending', 'queued')`),
    index("payments_refund_open_idx").on(t.refundRequestedAt).where(sql`${t.refundState} in ('requested', 'pending')`),
    index("payments_pos_refund_pending_idx").on(t.refundedAt).where(sql`${t.posRefundState} = 'pending'`),
  ],
);

export const deliveries = pgTable("deliveries", {
  id: id(),
  orderId: integer("order_id")
    .notNull()
    .unique()
    .references(() => orders.id, { onDelete: "cascade" }),
  estimatedMinutes: integer("estimated_minutes").notNull(),
  dispatchedAt: timestamp("dispatched_at", { withTimezone: true, mode: "date" }),
  deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
  createdAt: createdAt(),
});

export const posConnections = pgTable(
  "pos_connections",
  {
    id: id(),
    restaurantId: integer("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    posType: posType("pos_type").notNull(),
    baseUrl: text("base_url").notNull(),
    /** Square location id, Toast restaurant GUID, or the local POS's store id. */
    locationRef: text("location_ref").notNull(),
    /** Vendor credentials: an access token (Square, local) or OAuth client id/secret (Toast). */
    credentials: jsonb("credentials").$type<Record<string, string>>().notNull().default({}),
    /** Secret used to verify this vendor's webhook signatures for this connection. */
    webhookSecret: text("webhook_secret"),
    status: posConnectionStatus("status").notNull().default("active"),
    /** POS calls per second for this connection; null → the vendor default from the configuration. */
    rateLimitPerSecond: integer("rate_limit_per_second"),
    /** Calls that may go at once after a quiet spell; null → one second's worth of the rate. */
    rateLimitBurst: integer("rate_limit_burst"),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("pos_connections_restaurant_type_idx").on(t.restaurantId, t.posType)],
);

export const failedJobs = pgTable(
  "failed_jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    jobId: text("job_id").notNull().unique(),
    queue: text("queue").notNull(),
    name: text("name").notNull(),
    restaurantId: integer("restaurant_id"),
    payload: jsonb("payload").notNull(),
    /** The whole job envelope (options, timestamps) so a retry re-dispatches it faithfully. */
    envelope: jsonb("envelope").$type<Record<string, unknown>>().notNull().default({}),
    error: text("error").notNull(),
    stack: text("stack"),
    attempts: integer("attempts").notNull(),
    failedAt: timestamp("failed_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("failed_jobs_queue_idx").on(t.queue, t.failedAt),
    index("failed_jobs_name_idx").on(t.name, t.failedAt),
    index("failed_jobs_restaurant_idx").on(t.restaurantId, t.failedAt),
  ],
);

export const jobBatches = pgTable("job_batches", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  totalJobs: integer("total_jobs").notNull(),
  pendingJobs: integer("pending_jobs").notNull(),
  failedJobs: integer("failed_jobs").notNull(),
  failedJobIds: jsonb("failed_job_ids").$type<string[]>().notNull().default([]),
  options: jsonb("options").$type<Record<string, unknown>>().notNull().default({}),
  cancelledAt: timestamp("cancelled_at", { withTimezone: true, mode: "date" }),
  createdAt: createdAt(),
  finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
});
