import { createHash } from "node:crypto";
import { and, eq, gte, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { customers, deliveries, orderItems, orders } from "../../../db/schema";
import { authorizeOrder } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { conflict, notFound, unprocessable } from "../../kernel/app-error";
import type { CreateOrderInput, OrderView } from "../../routes/orders/orders.schemas";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";
import { priceOrder } from "./order-pricing";

/** SHA-256 of a validated body: tells a replay from a reuse of the key with another body. */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

/** Postgres unique violation, whichever driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if ((current as { code?: string }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The customer row of a signed-in user, if they have ordered before. */
async function existingCustomer(db: Pick<Database, "query">, principal: Principal): Promise<number | null> {
  const row = await db.query.customers.findFirst({
    columns: { id: true },
    where: eq(customers.userId, principal.userId),
  });
  return row?.id ?? null;
}

/** The customer row of a signed-in user, created on their first order (inside its transaction). */
async function customerFor(db: Pick<Database, "query" | "insert">, principal: Principal): Promise<number> {
  const existing = await existingCustomer(db, principal);
  if (existing !== null) return existing;
  const [created] = await db
    .insert(customers)
    .values({ userId: principal.userId, name: principal.name, email: principal.email })
    .onConflictDoNothing()
    .returning({ id: customers.id });
  if (created) return created.id;
  const raced = await existingCustomer(db, principal);
  if (raced === null) throw new Error("customer row vanished while being created");
  return raced;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What an order response loads alongside the order (one query, however many orders). */
export const orderRelations = {
  customer: { columns: { userId: true } },
  items: {
    columns: { id: true, menuItemId: true, name: true, quantity: true, unitPriceCents: true, totalCents: true },
  },
  payments: {
    columns: {
      id: true,
      orderId: true,
      status: true,
      amountCents: true,
      method: true,
      posSyncState: true,
      posPaymentId: true,
      providerPaymentId: true,
      failureCode: true,
      refundRequestedAt: true,
      refundState: true,
      providerRefundId: true,
      refundedCents: true,
      refundedAt: true,
      posRefundState: true,
      createdAt: true,
    },
  },
  delivery: { columns: { estimatedMinutes: true, dispatchedAt: true, deliveredAt: true } },
} as const;

/** One order with its items, payments and delivery: a single query. */
export async function loadOrder(db: Database, orderId: number) {
  return db.query.orders.findFirst({ where: eq(orders.id, orderId), with: orderRelations });
}

type LoadedOrder = NonNullable<Awaited<ReturnType<typeof loadOrder>>>;

export function shapeOrder(order: LoadedOrder): OrderView {
  return {
    id: order.id,
    restaurantId: order.restaurantId,
    branchId: order.branchId,
    customerId: order.customerId,
    status: order.status,
    type: order.type,
    subtotalCents: order.subtotalCents,
    taxCents: order.taxCents,
    deliveryFeeCents: order.deliveryFeeCents,
    totalCents: order.totalCents,
    currency: order.currency,
    posSyncState: order.posSyncState,
    loyaltyPointsEarned: order.loyaltyPointsEarned,
    loyaltyRewardId: order.loyaltyRewardId,
    loyaltyPointsRedeemed: order.loyaltyPointsRedeemed,
    discountCents: order.discountCents,
    cancelledAt: iso(order.cancelledAt),
    cancelReason: order.cancelReason,
    posCancelState: order.posCancelState,
    posOrderId: order.posOrderId,
    notes: order.notes,
    createdAt: order.createdAt.toISOString(),
    items: order.items,
    payments: order.payments.map((p) => ({
      ...p,
      createdAt: p.createdAt.toISOString(),
      refundRequestedAt: iso(p.refundRequestedAt),
      refundedAt: iso(p.refundedAt),
    })),
    delivery: order.delivery
      ? {
          estimatedMinutes: order.delivery.estimatedMinutes,
          dispatchedAt: iso(order.delivery.dispatchedAt),
          deliveredAt: iso(order.delivery.deliveredAt),
        }
      : null,
  };
}

/** The order if the principal placed it or works at its restaurant; otherwise a 404. */
export async function getOrderFor(
  db: Database,
  principal: Principal,
  orderId: number,
  action: "orders:view" | "orders:pay",
) {
  const order = await loadOrder(db, orderId);
  if (!order) throw notFound("order");
  authorizeOrder(principal, action, {
    restaurantId: order.restaurantId,
    customerUserId: order.customer?.userId ?? null,
  });
  return order;
}

async function replayOrConflict(db: Database, customerId: number, key: string, hash: string) {
  const existing = await db.query.orders.findFirst({
    columns: { id: true, requestHash: true },
    where: and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)),
  });
  if (!existing) return null;
  if (existing.requestHash !== hash) {
    throw conflict("idempotency_key_reused", "this Idempotency-Key was already used with a different request body");
  }
  return existing.id;
}

/** Added to the kitchen's prep time for a delivery's estimate. */
const DELIVERY_TRAVEL_MINUTES = 25;

export type CreatedOrder = { order: OrderView; replayed: boolean };

/**
 * Places an order in one transaction. The same Idempotency-Key with the same
 * body returns the first order again; with another body, a 409. A redeemed reward's points are
 * taken from the customer's balance by one conditional update in that transaction, so two orders
 * can never spend the same points: the second finds the balance short and nothing is written.
 */
export async function createOrder(
  db: Database,
  principal: Principal,
  input: CreateOrderInput,
  idempotencyKey: string,
  dispatcher: Pick<PosDispatcher, "orderPlaced">,
): Promise<CreatedOrder> {
  const hash = requestHash(input);
  const known = await existingCustomer(db, principal);
  if (known !== null) {
    const replayId = await replayOrConflict(db, known, idempotencyKey, hash);
    if (replayId !== null) return { order: shapeOrder((await loadOrder(db, replayId))!), replayed: true };
  }

  // Everything is checked before anything is written: a refused order leaves no trace.
  const priced = await priceOrder(db, input);
  let orderId: number;
  let customerId = known;
  try {
    orderId = await db.transaction(async (tx) => {
      customerId = await customerFor(tx, principal);
      const spender = customerId;
      if (priced.reward) {
        const cost = priced.reward.points;
        const [spent] = await tx
          .update(customers)
          .set({ loyaltyPoints: sql`${customers.loyaltyPoints} - ${cost}` })
          .where(and(eq(customers.id, spender), gte(customers.loyaltyPoints, cost)))
          .returning({ id: customers.id });
        if (!spent) {
          throw unprocessable(
            "insufficient_points",
            `reward ${priced.reward.id} costs ${cost} points; the balance is short`,
          );
        }
      }
      const [order] = await tx
        .insert(orders)
        .values({
          restaurantId: input.restaurantId,
          branchId: input.branchId,
          customerId,
          type: input.type,
          subtotalCents: priced.subtotalCents,
          taxCents: priced.taxCents,
          deliveryFeeCents: priced.deliveryFeeCents,
          totalCents: priced.totalCents,
          loyaltyPointsEarned: priced.loyaltyPointsEarned,
          loyaltyRewardId: priced.reward?.id ?? null,
          loyaltyPointsRedeemed: priced.reward?.points ?? 0,
          discountCents: priced.discountCents,
          currency: priced.currency,
          notes: input.notes ?? null,
          idempotencyKey,
          requestHash: hash,
        })
        .returning({ id: orders.id });
      if (!order) throw new Error("insert returned no order");
      await tx.insert(orderItems).values(priced.lines.map((line) => ({ ...line, orderId: order.id })));
      if (priced.loyaltyPointsEarned > 0) {
        await tx
          .update(customers)
          .set({ loyaltyPoints: sql`${customers.loyaltyPoints} + ${priced.loyaltyPointsEarned}` })
          .where(eq(customers.id, customerId));
      }
      if (input.type === "delivery") {
        await tx
          .insert(deliveries)
          .values({ orderId: order.id, estimatedMinutes: priced.prepTimeMinutes + DELIVERY_TRAVEL_MINUTES });
      }
      return order.id;
    });
  } catch (error) {
    // Two requests with the same key raced; the loser answers like a replay.
    if (!isUniqueViolation(error) || customerId === null) throw error;
    const winner = await replayOrConflict(db, customerId, idempotencyKey, hash);
    if (winner === null) throw error;
    return { order: shapeOrder((await loadOrder(db, winner))!), replayed: true };
  }
  // After the commit: a Redis failure here leaves the order `pending` for the sweeper, never lost.
  await dispatcher.orderPlaced({ id: orderId, restaurantId: input.restaurantId });
  return { order: shapeOrder((await loadOrder(db, orderId))!), replayed: false };
}
