import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
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
 * (`refund_requested_at`). A card payment the provider captured is also marked `requested`: the
 * RefundCardPayment job (dispatched after the commit, or by the sweeper) refunds it through the
 * provider and then syncs the refund to the POS. Cash and external payments were taken in person
 * and are given back in person; the mark is their record. Returns the card payments to refund.
 */
export async function refundPayment(
  tx: Pick<Transaction, "update">,
  orderId: number,
): Promise<Array<{ id: number; restaurantId: number }>> {
  const now = new Date();
  const owed = and(eq(payments.orderId, orderId), eq(payments.status, "captured"), isNull(payments.refundRequestedAt));
  const cards = await tx
    .update(payments)
    .set({ refundRequestedAt: now, refundState: "requested" })
    .where(and(owed, eq(payments.method, "card"), isNotNull(payments.providerPaymentId)))
    .returning({ id: payments.id, restaurantId: payments.restaurantId });
  await tx.update(payments).set({ refundRequestedAt: now }).where(owed);
  return cards;
}

export type CancelledOrder = { order: OrderView; alreadyCancelled: boolean };

/**
 * Cancels an order (rules: `authorizeCancel`). In one transaction, with the order row locked: the
 * status becomes `cancelled`, `pos_cancel_state` `pending` (the outbox for OrderCancelToPOS), the
 * loyalty points it earned are taken back (and those its reward cost given back) and its captured
 * payments are marked for refund. After the commit the POS job and the card refunds are
 * dispatched; if Redis fails the sweeper dispatches them. Cancelling a
 * cancelled order changes nothing and answers the same order.
 */
export async function cancelOrder(
  db: Database,
  principal: Principal,
  orderId: number,
  input: CancelOrderInput,
  dispatcher: Pick<PosDispatcher, "orderCancelled" | "refundsRequested">,
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
        redeemed: orders.loyaltyPointsRedeemed,
      })
      .from(orders)
      .where(eq(orders.id, orderId))
      .for("update");
    if (!row) throw notFound("order");
    // The status may have moved while we waited for the lock: decide again on what is there now.
    authorizeCancel(principal, { restaurantId: loaded.restaurantId, customerUserId, status: row.status });
    if (row.status === "cancelled") return null;
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
    if (row.points > 0 || row.redeemed > 0) {
      // The points it earned are taken back, the points its reward cost are given back.
      await tx
        .update(customers)
        .set({ loyaltyPoints: sql`greatest(${customers.loyaltyPoints} - ${row.points}, 0) + ${row.redeemed}` })
        .where(eq(customers.id, row.customerId));
    }
    return refundPayment(tx, orderId);
  });
  if (changed) {
    await dispatcher.orderCancelled({ id: orderId, restaurantId: loaded.restaurantId });
    await dispatcher.refundsRequested(changed);
  }
  const order = await loadOrder(db, orderId);
  if (!order) throw notFound("order");
  return { order: shapeOrder(order), alreadyCancelled: !changed };
}
