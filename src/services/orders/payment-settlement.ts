import { and, eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orders, payments } from "../../../db/schema";
import type { Logger } from "../../logger";
import {
  PaymentDeclinedError,
  type PaymentProvider,
  PaymentProviderRejectedError,
  type ProviderCallOptions,
} from "../../payments/payment-provider";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";

/** A card payment row as the provider needs it. */
export type ChargeablePayment = {
  id: number;
  orderId: number;
  restaurantId: number;
  amountCents: number;
  currency: string;
  providerSourceId: string | null;
  providerPaymentId: string | null;
};

export type SettlementDeps = {
  db: Database;
  provider: PaymentProvider;
  dispatcher: Pick<PosDispatcher, "paymentRecorded" | "refundsRequested">;
  logger?: Logger;
};

/** Where the row stands after asking the provider. */
export type Settlement = "captured" | "pending" | "failed";

/**
 * Asks the provider where a `pending` card payment stands and moves the row accordingly: the
 * charge itself the first time (or again, with the same idempotency key and body, when its answer
 * was lost), GetPayment once the provider's id is known. Only the caller whose update moves the
 * row out of `pending` dispatches PaymentSyncToPOS, so it runs once however many settle at once.
 * A charge captured after its order was cancelled is refunded instead (RefundCardPayment).
 * Throws `PaymentProviderUnavailableError` when the provider gives no answer: the row stays `pending`.
 */
export async function settleCardPayment(
  deps: SettlementDeps,
  payment: ChargeablePayment,
  options: ProviderCallOptions = {},
): Promise<Settlement> {
  let answer: Awaited<ReturnType<PaymentProvider["getPayment"]>>;
  try {
    if (payment.providerPaymentId) {
      answer = await deps.provider.getPayment(payment.providerPaymentId, options);
    } else {
      if (!payment.providerSourceId) throw new Error(`card payment ${payment.id} has no payment source`);
      answer = await deps.provider.charge(
        {
          paymentId: payment.id,
          orderId: payment.orderId,
          sourceId: payment.providerSourceId,
          amountCents: payment.amountCents,
          currency: payment.currency,
        },
        options,
      );
    }
  } catch (error) {
    if (error instanceof PaymentDeclinedError) {
      await fail(deps.db, payment.id, error.code, error.providerPaymentId);
      return "failed";
    }
    if (error instanceof PaymentProviderRejectedError) {
      // No money moved; the provider refused our request itself, which an operator must look at.
      deps.logger?.error("payment provider refused a charge", { paymentId: payment.id, error: error.message });
      await fail(deps.db, payment.id, error.code ?? "PROVIDER_REJECTED");
      return "failed";
    }
    throw error;
  }
  if (answer.status === "pending") {
    await deps.db
      .update(payments)
      .set({ providerPaymentId: answer.providerPaymentId })
      .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")));
    return "pending";
  }
  if (answer.status === "failed") {
    await fail(deps.db, payment.id, answer.providerStatus, answer.providerPaymentId);
    return "failed";
  }
  const providerPaymentId = answer.providerPaymentId;
  const moved = await deps.db.transaction(async (tx) => {
    // The order row's lock orders this capture with a cancellation (which locks it for update):
    // whichever commits second sees the other, so a captured charge of a cancelled order is always refunded.
    const [order] = await tx
      .select({ status: orders.status })
      .from(orders)
      .where(eq(orders.id, payment.orderId))
      .for("share");
    const cancelled = order?.status === "cancelled";
    const rows = await tx
      .update(payments)
      .set({
        status: "captured",
        providerPaymentId,
        ...(cancelled ? { refundRequestedAt: new Date(), refundState: "requested", posSyncState: "skipped" } : {}),
      })
      .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")))
      .returning({ id: payments.id });
    if (rows.length === 0) return null;
    return cancelled ? "refund" : "sync";
  });
  const target = { id: payment.id, restaurantId: payment.restaurantId };
  if (moved === "sync") await deps.dispatcher.paymentRecorded(target);
  if (moved === "refund") await deps.dispatcher.refundsRequested([target]);
  return "captured";
}

async function fail(db: Database, paymentId: number, code: string, providerPaymentId?: string): Promise<void> {
  await db
    .update(payments)
    .set({
      status: "failed",
      failureCode: code,
      posSyncState: "skipped",
      ...(providerPaymentId ? { providerPaymentId } : {}),
    })
    .where(and(eq(payments.id, paymentId), eq(payments.status, "pending")));
}
