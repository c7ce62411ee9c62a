import type { PosOrderStatus } from "../types";
import type { ToastOrder } from "./toast-schemas";

/**
 * Toast has no single order status: it is read from the order's `voided`,
 * `closedDate`, `deliveryInfo.deliveryState`, `approvalStatus` and the kitchen
 * `fulfillmentStatus` of its selections, most final first.
 */
export function toastOrderStatus(order: ToastOrder): PosOrderStatus {
  if (order.voided) return "cancelled";
  if (order.closedDate || order.deliveryInfo?.deliveryState === "DELIVERED") return "completed";
  if (order.deliveryInfo?.deliveryState === "PICKED_UP") return "out_for_delivery";
  const selections = order.checks.flatMap((check) => check.selections);
  const statuses = selections.map((s) => s.fulfillmentStatus ?? "NEW");
  if (statuses.length > 0 && statuses.every((s) => s === "READY")) return "ready";
  if (statuses.some((s) => s === "SENT" || s === "READY")) return "preparing";
  if (order.approvalStatus === "NEEDS_APPROVAL" || order.approvalStatus === "FUTURE") return "pending";
  return "accepted";
}

/** Rewrites an order's Toast fields so that `toastOrderStatus` reads `status` (the simulator moves orders this way). */
export function applyToastStatus(order: ToastOrder, status: PosOrderStatus, now: string): ToastOrder {
  const fulfillment =
    status === "preparing" ? "SENT" : ["ready", "out_for_delivery", "completed"].includes(status) ? "READY" : "NEW";
  return {
    ...order,
    voided: status === "cancelled",
    closedDate: status === "completed" ? now : null,
    approvalStatus: status === "pending" ? "NEEDS_APPROVAL" : "APPROVED",
    deliveryInfo: status === "out_for_delivery" ? { deliveryState: "PICKED_UP" } : (order.deliveryInfo ?? null),
    checks: order.checks.map((check) => ({
      ...check,
      selections: check.selections.map((s) => ({ ...s, fulfillmentStatus: fulfillment })),
    })),
  };
}
