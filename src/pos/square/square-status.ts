import type { PosOrderStatus } from "../types";
import type { SquareOrder } from "./square-schemas";

type SquareOrderState = SquareOrder["state"];
type SquareFulfillmentState = NonNullable<SquareOrder["fulfillments"]>[number]["state"];

const BY_FULFILLMENT: Record<SquareFulfillmentState, PosOrderStatus> = {
  PROPOSED: "accepted",
  RESERVED: "preparing",
  PREPARED: "ready",
  COMPLETED: "completed",
  CANCELED: "cancelled",
  FAILED: "cancelled",
};

/**
 * Square keeps an order's lifecycle in two places: `state` (OPEN, COMPLETED,
 * CANCELED, DRAFT) and, while it is OPEN, the kitchen progress in its
 * fulfillment's `state`. Square has no "out for delivery" state.
 */
export function squareOrderStatus(state: SquareOrderState, fulfillment?: SquareFulfillmentState): PosOrderStatus {
  if (state === "CANCELED") return "cancelled";
  if (state === "COMPLETED") return "completed";
  if (state === "DRAFT") return "pending";
  return fulfillment ? BY_FULFILLMENT[fulfillment] : "accepted";
}

/** The Square state pair that represents one of our statuses (used by the simulator to move an order). */
export function squareStateFor(status: PosOrderStatus): {
  state: SquareOrderState;
  fulfillment: SquareFulfillmentState;
} {
  switch (status) {
    case "pending":
      return { state: "DRAFT", fulfillment: "PROPOSED" };
    case "accepted":
      return { state: "OPEN", fulfillment: "PROPOSED" };
    case "preparing":
      return { state: "OPEN", fulfillment: "RESERVED" };
    case "ready":
    case "out_for_delivery":
      return { state: "OPEN", fulfillment: "PREPARED" };
    case "completed":
      return { state: "COMPLETED", fulfillment: "COMPLETED" };
    case "cancelled":
      return { state: "CANCELED", fulfillment: "CANCELED" };
  }
}
