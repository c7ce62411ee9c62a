import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orders, payments } from "../../../db/schema";
import { authorizeInPersonPayment } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { AppError, conflict, unprocessable } from "../../kernel/app-error";
import type { Logger } from "../../logger";
import { type PaymentProvider, PaymentProviderUnavailableError } from "../../payments/payment-provider";
import type { CreatePaymentInput } from "../../routes/orders/orders.schemas";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";
import { getOrderFor, isUniqueViolation, loadOrder, requestHash, shapeOrder } from "./orders";
import { settleCardPayment } from "./payment-settlement";

export type RecordedPayment = { paymentId: number; order: ReturnType<typeof shapeOrder>; replayed: boolean };

export type PaymentDeps = {
  db: Database;
  /** Null when no provider is configured: card payments are then refused. */
  provider: PaymentProvider | null;
  dispatcher: Pick<PosDispatcher, "paymentRecorded" | "refundsRequested">;
  logger?: Logger;
};

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

async function result(db: Database, orderId: number, paymentId: number, replayed: boolean): Promise<RecordedPayment> {
  return { paymentId, order: shapeOrder((await loadOrder(db, orderId))!), replayed };
}

/**
 * Takes a payment against an order. A card payment is inserted `pending` and charged through the
 * payment provider: it becomes `captured` only when the provider answers COMPLETED, `failed` when
 * it declines, and stays `pending` (for the settle job) when the provider does not answer. A cash
 * or external payment is recorded `captured` by the restaurant's staff. The order row is locked
 * while the outstanding balance (captured and pending payments) is computed, so two payments
 * cannot both take the last cent. Only a captured payment is handed to PaymentSyncToPOS.
 */
export async function recordPayment(
  deps: PaymentDeps,
  principal: Principal,
  orderId: number,
  input: CreatePaymentInput,
  idempotencyKey: string,
): Promise<RecordedPayment> {
  const { db } = deps;
  const order = await getOrderFor(db, principal, orderId, "orders:pay");
  if (input.method !== "card") authorizeInPersonPayment(principal, order.restaurantId);
  const hash = requestHash(input);
  const replay = await replayOrConflict(db, orderId, idempotencyKey, hash);
  if (replay !== null) return result(db, orderId, replay, true);
  const provider = deps.provider;
  if (input.method === "card" && !provider) {
    throw new AppError(503, "payment_provider_unconfigured", "card payments are not available: no payment provider");
  }

  let payment: { id: number; restaurantId: number; amountCents: number; currency: string; replayed: boolean };
  try {
    payment = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({
          id: orders.id,
          status: orders.status,
          totalCents: orders.totalCents,
          currency: orders.currency,
          restaurantId: orders.restaurantId,
        })
        .from(orders)
        .where(eq(orders.id, orderId))
        .for("update");
      if (!locked) throw unprocessable("order_gone", "the order no longer exists");
      if (locked.status === "cancelled") throw unprocessable("order_cancelled", "a cancelled order cannot be paid");
      // A request with the same key may have committed while this one waited for the lock.
      const raced = await replayOrConflict(tx, orderId, idempotencyKey, hash);
      if (raced !== null) return { ...locked, id: raced, amountCents: 0, replayed: true };
      // A pending charge may still be captured: its amount is not available to another payment.
      const [taken] = await tx
        .select({ cents: sql<number>`coalesce(sum(${payments.amountCents}), 0)::int` })
        .from(payments)
        .where(and(eq(payments.orderId, orderId), inArray(payments.status, ["captured", "pending"])));
      const outstanding = locked.totalCents - (taken?.cents ?? 0);
      if (outstanding <= 0) throw conflict("order_already_paid", "the order is already paid in full");
      const amountCents = input.amountCents ?? outstanding;
      if (amountCents > outstanding) {
        throw unprocessable("amount_exceeds_balance", `the outstanding balance is ${outstanding} cents`);
      }
      const [row] = await tx
        .insert(payments)
        .values({
          orderId,
          restaurantId: locked.restaurantId,
          status: input.method === "card" ? "pending" : "captured",
          amountCents,
          method: input.method,
          providerSourceId: input.method === "card" ? input.sourceId : null,
          idempotencyKey,
          requestHash: hash,
        })
        .returning({ id: payments.id });
      if (!row) throw new Error("insert returned no payment");
      return { id: row.id, restaurantId: locked.restaurantId, amountCents, currency: locked.currency, replayed: false };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await replayOrConflict(db, orderId, idempotencyKey, hash);
    if (winner === null) throw error;
    return result(db, orderId, winner, true);
  }
  if (payment.replayed) return result(db, orderId, payment.id, true);

  if (input.method !== "card" || !provider) {
    await deps.dispatcher.paymentRecorded(payment);
    return result(db, orderId, payment.id, false);
  }
  try {
    await settleCardPayment(
      { db, provider, dispatcher: deps.dispatcher, logger: deps.logger },
      { ...payment, orderId, providerSourceId: input.sourceId, providerPaymentId: null },
    );
  } catch (error) {
    if (!(error instanceof PaymentProviderUnavailableError)) throw error;
    // The charge's outcome is unknown: the row stays `pending` and the settle job asks the provider later.
    deps.logger?.warn("payment provider gave no answer; the payment stays pending", {
      paymentId: payment.id,
      error: error.message,
    });
  }
  return result(db, orderId, payment.id, false);
}
