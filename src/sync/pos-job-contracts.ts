import { z } from "zod";
import { defineJobContract } from "../queue/job";

/**
 * The POS sync jobs as the design table states them: what the API dispatches and the worker
 * runs, without the code that runs them (that is in `workers/jobs/`). A test reads this table.
 */

/** Retries of the jobs about one order or payment: 1, 3, 5, 10 and 20 minutes. */
export const ORDER_SYNC_BACKOFF_SECONDS = [60, 180, 300, 600, 1200] as const;
/** Retries of the restaurant-wide pulls (stock, menu): 5, 15 and 30 minutes. */
export const POS_PULL_BACKOFF_SECONDS = [300, 900, 1800] as const;
/** An attempt's timeout, the POS call included; the menu pull gets longer for large catalogs. */
const POS_CALL_TIMEOUT_SECONDS = 120;
const MENU_SYNC_TIMEOUT_SECONDS = 300;

const id = z.number().int().positive();
const byRestaurant = (p: { restaurantId: number }) => String(p.restaurantId);

export const OrderSyncToPOS = defineJobContract({
  name: "OrderSyncToPOS",
  queue: "high",
  tries: 5,
  backoff: ORDER_SYNC_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ orderId: id, restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: (p) => String(p.orderId),
});

/**
 * Takes a cancelled order off the POS (cancel / void), including when its OrderSyncToPOS has not
 * finished yet. Same tries and backoff as the order's own sync.
 */
export const OrderCancelToPOS = defineJobContract({
  name: "OrderCancelToPOS",
  queue: "high",
  tries: 5,
  backoff: ORDER_SYNC_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ orderId: id, restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: (p) => String(p.orderId),
});

export const OrderStatusSyncFromPOS = defineJobContract({
  name: "OrderStatusSyncFromPOS",
  queue: "high",
  tries: 5,
  backoff: ORDER_SYNC_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ orderId: id, restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: (p) => String(p.orderId),
});

export const PaymentSyncToPOS = defineJobContract({
  name: "PaymentSyncToPOS",
  queue: "default",
  tries: 5,
  backoff: ORDER_SYNC_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ paymentId: id, restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: (p) => String(p.paymentId),
});

/**
 * Records on the POS that a payment it has was refunded, once the provider completed the refund
 * and the order's cancellation reached the POS. Same tries and backoff as PaymentSyncToPOS.
 */
export const RefundSyncToPOS = defineJobContract({
  name: "RefundSyncToPOS",
  queue: "default",
  tries: 5,
  backoff: ORDER_SYNC_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ paymentId: id, restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: (p) => String(p.paymentId),
});

export const InventoryUpdateFromPOS = defineJobContract({
  name: "InventoryUpdateFromPOS",
  queue: "default",
  tries: 3,
  backoff: POS_PULL_BACKOFF_SECONDS,
  timeout: POS_CALL_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: byRestaurant,
});

export const MenuSyncFromPOS = defineJobContract({
  name: "MenuSyncFromPOS",
  queue: "low",
  tries: 3,
  backoff: POS_PULL_BACKOFF_SECONDS,
  timeout: MENU_SYNC_TIMEOUT_SECONDS,
  deleteWhenMissingModels: true,
  payload: z.object({ restaurantId: id }),
  partitionKey: byRestaurant,
  uniqueKey: byRestaurant,
});

/** The seven, in the design table's order (RefundSyncToPOS joined it with refunds, ADR 0030). */
export const POS_JOB_CONTRACTS = [
  OrderSyncToPOS,
  OrderCancelToPOS,
  OrderStatusSyncFromPOS,
  PaymentSyncToPOS,
  RefundSyncToPOS,
  InventoryUpdateFromPOS,
  MenuSyncFromPOS,
] as const;
