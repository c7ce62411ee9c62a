import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { customers, orders, payments } from "../../../db/schema";
import { authorizeCancel } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { notFound } from "../../kernel/app-error";
import type { CancelOrderInput, OrderView } from "../../routes/orders/orders.schemas";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";
import { loadOrder, shapeOrder } from "./orders";

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * The refund step of a cancellation: every captured payment of the order is marked as owed back
 * (`refund_requested_at`). Refunding it through the payment provider and syncing the refund to the
 * POS belong to the payment-provider work, which picks these rows up; until it lands, they are
 * the record of what is owed.
 */
export async function refundPayment(tx: Transaction, orderId: number): Promise<number> {
  const marked = await tx
    .update(payments)
    .set({ refundRequestedAt: new Date() })
    .where(and(eq(payments.orderId, orderId), eq(payments.status, "captured"), isNull(payments.refundRequestedAt)))
    .returning({ id: payments.id });
  return marked.length;
}

export type CancelledOrder = { order: OrderView; alreadyCancelled: boolean };

/**
 * Cancels an order (rules: `authorizeCancel`). In one transaction, with the order row locked: the
 * status becomes `cancelled`, `pos_cancel_state` `pending` (the outbox for OrderCancelToPOS), the
 * loyalty points it earned are taken back and its captured payments are marked for refund. After
 * the commit the POS job is dispatched; if Redis fails the sweeper dispatches it. Cancelling a
 * cancelled order changes nothing and answers the same order.
 */
export async function cancelOrder(
  db: Database,
  principal: Principal,
  orderId: number,
  input: CancelOrderInput,
  dispatcher: Pick<PosDispatcher, "orderCancelled">,
): Promise<CancelledOrder> {
  const loaded = await loadOrder(db, orderId);
  if (!loaded) throw notFound("order");
  const customerUserId = loaded.customer?.userId ?? null;
  authorizeCancel(principal, { restaurantId: loaded.restaurantId, customerUserId, status: loaded.status });
  const changed = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        status: orders.status,
        customerId: orders.customerId,
        points: orders.loyaltyPointsEarned,
      })
      .from(orders)
      .where(eq(orders.id, orderId))
      .for("update");
    if (!row) throw notFound("order");
    // The status may have moved while we waited for the lock: decide again on what is there now.
    authorizeCancel(principal, { restaurantId: loaded.restaurantId, customerUserId, status: row.status });
    if (row.status === "cancelled") return false;
    const now = new Date();
    await tx
      .update(orders)
      .set({
        status: "cancelled",
        cancelledAt: now,
        cancelReason: input.reason ?? null,
        posCancelState: "pending",
        updatedAt: now,
      })
      .where(eq(orders.id, orderId));
    if (row.points > 0) {
      await tx
        .update(customers)
        .set({ loyaltyPoints: sql`greatest(${customers.loyaltyPoints} - ${row.points}, 0)` })
        .where(eq(customers.id, row.customerId));
    }
    await refundPayment(tx, orderId);
    return true;
  });
  if (changed) await dispatcher.orderCancelled({ id: orderId, restaurantId: loaded.restaurantId });
  const order = await loadOrder(db, orderId);
  if (!order) throw notFound("order");
  return { order: shapeOrder(order), alreadyCancelled: !changed };
}
