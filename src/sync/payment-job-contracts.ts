import { z } from "zod";
import { defineJobContract } from "../queue/job";

/**
 * The job that settles a card payment whose charge got no answer from the payment provider (a
 * timeout, an outage): it asks the provider where the charge stands and moves the row to
 * `captured` or `failed`. It is safe to run many times; the charge exists at most once.
 */

/** Retries while the provider stays unreachable: 30 s, 1, 2, 5 and 10 minutes. */
export const SETTLE_BACKOFF_SECONDS = [30, 60, 120, 300, 600] as const;

const id = z.number().int().positive();

export const SettleCardPayment = defineJobContract({
  name: "SettleCardPayment",
  queue: "high",
  tries: 5,
  backoff: SETTLE_BACKOFF_SECONDS,
  // Past the provider call's own deadline (PAYMENT_PROVIDER_TIMEOUT_MS, at most 100 s); as long as the POS jobs.
  timeout: 120,
  deleteWhenMissingModels: true,
  payload: z.object({ paymentId: id, restaurantId: id }),
  partitionKey: (p) => String(p.restaurantId),
  uniqueKey: (p) => String(p.paymentId),
});

/**
 * The job that refunds a cancelled order's captured card payment through the payment provider.
 * The refund's idempotency key is derived from the payment row, so a retry (after a lost answer or
 * a crash before the row was updated) gets the first refund back, never a second one. Same tries
 * and backoff as settling a charge; a provider that stays away past them leaves the refund
 * `requested`, and the sweeper dispatches it again.
 */
export const RefundCardPayment = defineJobContract({
  name: "RefundCardPayment",
  queue: "high",
  tries: 5,
  backoff: SETTLE_BACKOFF_SECONDS,
  timeout: 120,
  deleteWhenMissingModels: true,
  payload: z.object({ paymentId: id, restaurantId: id }),
  partitionKey: (p) => String(p.restaurantId),
  uniqueKey: (p) => String(p.paymentId),
});
