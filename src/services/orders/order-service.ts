import type { Database } from "../../../db/client";
import type { Principal } from "../../auth/principal";
import type { CancelOrderInput, CreateOrderInput, CreatePaymentInput } from "../../routes/orders/orders.schemas";
import { loyaltyBalance } from "../loyalty/loyalty-balance";
import type { PosDispatcher } from "../pos-sync/pos-dispatch";
import { cancelOrder } from "./cancellations";
import { createOrder, getOrderFor } from "./orders";
import { type PaymentDeps, recordPayment } from "./payments";
import { exportRestaurantOrders, listRestaurantOrders, type OrderFilters } from "./restaurant-orders";

/** Orders and payments as the handlers call them, bound to the database, the POS dispatcher and the payment provider. */
export function createOrderService(
  db: Database,
  dispatcher: PosDispatcher,
  payment: Pick<PaymentDeps, "provider" | "logger">,
) {
  return {
    place: (principal: Principal, input: CreateOrderInput, idempotencyKey: string) =>
      createOrder(db, principal, input, idempotencyKey, dispatcher),
    get: (principal: Principal, orderId: number) => getOrderFor(db, principal, orderId, "orders:view"),
    pay: (principal: Principal, orderId: number, input: CreatePaymentInput, idempotencyKey: string) =>
      recordPayment({ db, dispatcher, ...payment }, principal, orderId, input, idempotencyKey),
    cancel: (principal: Principal, orderId: number, input: CancelOrderInput) =>
      cancelOrder(db, principal, orderId, input, dispatcher),
    loyaltyBalance: (principal: Principal) => loyaltyBalance(db, principal),
    listForRestaurant: (restaurantId: number, filters: OrderFilters, page: number, pageSize: number) =>
      listRestaurantOrders(db, restaurantId, filters, page, pageSize),
    exportForRestaurant: (restaurantId: number, filters: OrderFilters) =>
      exportRestaurantOrders(db, restaurantId, filters),
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
