import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orders, payments } from "../../../db/schema";
import type { Principal } from "../../auth/principal";
import { conflict, unprocessable } from "../../kernel/app-error";
import type { CreatePaymentInput } from "../../routes/orders/orders.schemas";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";
import { getOrderFor, isUniqueViolation, loadOrder, requestHash, shapeOrder } from "./orders";

export type RecordedPayment = { paymentId: number; order: ReturnType<typeof shapeOrder>; replayed: boolean };

async function replayOrConflict(db: Pick<Database, "query">, orderId: number, key: string, hash: string) {
  const existing = await db.query.payments.findFirst({
    columns: { id: true, requestHash: true },
    where: and(eq(payments.orderId, orderId), eq(payments.idempotencyKey, key)),
  });
  if (!existing) return null;
  if (existing.requestHash !== hash) {
    throw conflict("idempotency_key_reused", "this Idempotency-Key was already used with a different request body");
  }
  return existing.id;
}

/**
 * Records a payment against an order. The order row is locked while the
 * outstanding balance is computed, so two payments cannot both take the last cent.
 */
export async function recordPayment(
  db: Database,
  principal: Principal,
  orderId: number,
  input: CreatePaymentInput,
  idempotencyKey: string,
  dispatcher: Pick<PosDispatcher, "paymentRecorded">,
): Promise<RecordedPayment> {
  await getOrderFor(db, principal, orderId, "orders:pay");
  const hash = requestHash(input);
  const replay = await replayOrConflict(db, orderId, idempotencyKey, hash);
  if (replay !== null) return { paymentId: replay, order: shapeOrder((await loadOrder(db, orderId))!), replayed: true };

  let payment: { id: number; restaurantId: number; replayed: boolean };
  try {
    payment = await db.transaction(async (tx) => {
      const [order] = await tx
        .select({
          id: orders.id,
          status: orders.status,
          totalCents: orders.totalCents,
          restaurantId: orders.restaurantId,
        })
        .from(orders)
        .where(eq(orders.id, orderId))
        .for("update");
      if (!order) throw unprocessable("order_gone", "the order no longer exists");
      if (order.status === "cancelled") throw unprocessable("order_cancelled", "a cancelled order cannot be paid");
      // A request with the same key may have committed while this one waited for the lock.
      const raced = await replayOrConflict(tx, orderId, idempotencyKey, hash);
      if (raced !== null) return { id: raced, restaurantId: order.restaurantId, replayed: true };
      const [paid] = await tx
        .select({ cents: sql<number>`coalesce(sum(${payments.amountCents}), 0)::int` })
        .from(payments)
        .where(and(eq(payments.orderId, orderId), eq(payments.status, "captured")));
      const outstanding = order.totalCents - (paid?.cents ?? 0);
      if (outstanding <= 0) throw conflict("order_already_paid", "the order is already paid in full");
      const amountCents = input.amountCents ?? outstanding;
      if (amountCents > outstanding) {
        throw unprocessable("amount_exceeds_balance", `the outstanding balance is ${outstanding} cents`);
      }
      const [row] = await tx
        .insert(payments)
        .values({
          orderId,
          restaurantId: order.restaurantId,
          status: "captured",
          amountCents,
          method: input.method,
          idempotencyKey,
          requestHash: hash,
        })
        .returning({ id: payments.id, restaurantId: payments.restaurantId });
      if (!row) throw new Error("insert returned no payment");
      return { ...row, replayed: false };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await replayOrConflict(db, orderId, idempotencyKey, hash);
    if (winner === null) throw error;
    return { paymentId: winner, order: shapeOrder((await loadOrder(db, orderId))!), replayed: true };
  }
  if (!payment.replayed) await dispatcher.paymentRecorded(payment);
  return { paymentId: payment.id, order: shapeOrder((await loadOrder(db, orderId))!), replayed: payment.replayed };
}
