import { squareOrderStatus } from "../square/square-status";
import { toastOrderStatus } from "../toast/toast-status";
import type { PosCatalog, PosInventoryLevel, PosOrderStatus, PosType } from "../types";
import type { SimulatorContext } from "./context";
import type { VendorFaults } from "./faults";
import { setLocalOrderStatus } from "./local-routes";
import { setSquareOrderStatus } from "./square-routes";
import type { RecordedWrite, VendorCounts } from "./state";
import { setToastOrderStatus } from "./toast-routes";
import { type SentWebhook, type SimulatorWebhook, sendSimulatorWebhook } from "./webhook-sender";

export const POS_VENDORS: readonly PosType[] = ["square", "toast", "local"];

/**
 * Catalog and stock to load into one vendor tenant. The tenant is what the
 * vendor keys its data by: Square — the access token (a merchant) for the
 * catalog and the location id for stock; Toast — the restaurant GUID; local —
 * the store id.
 */
export type SimulatorSeed = {
  vendor: PosType;
  tenant: string;
  catalog?: PosCatalog;
  inventory?: PosInventoryLevel[];
};

/** How tests, the dev command and benchmarks steer a running simulator (also exposed over HTTP under /__control). */
export type PosSimulatorControl = {
  /** Merges faults into a vendor's (or every vendor's) current ones. */
  setFaults(vendor: PosType | "all", faults: VendorFaults): void;
  clearFaults(vendor?: PosType): void;
  faults(vendor: PosType): VendorFaults;
  /** Every request to the vendor gets 503 for the next `durationMs`. */
  outage(vendor: PosType, durationMs: number): void;
  /** Moves an order on the POS side, as staff at the restaurant would; false when the POS has no such order. */
  setOrderStatus(vendor: PosType, posOrderId: string, status: PosOrderStatus): boolean;
  /** The order's status as the POS shows it (its vendor fields mapped onto ours); null when unknown. */
  orderStatus(vendor: PosType, posOrderId: string): PosOrderStatus | null;
  seed(entry: SimulatorSeed): void;
  orders(vendor: PosType): RecordedWrite[];
  payments(vendor: PosType): RecordedWrite[];
  /** Refunds the vendor made; a refund's `orderId` is the vendor's id of the payment it refunds. */
  refunds(vendor: PosType): RecordedWrite[];
  counts(): Record<PosType, VendorCounts>;
  /** Sends the vendor's signed webhook describing an order's current status or a tenant's stock. */
  sendWebhook(webhook: SimulatorWebhook): Promise<SentWebhook>;
  /** Forgets orders, payments, catalogs, stock, tokens and counts; faults stay. */
  reset(): void;
};

const SET_STATUS: Record<PosType, typeof setSquareOrderStatus> = {
  square: setSquareOrderStatus,
  toast: setToastOrderStatus,
  local: setLocalOrderStatus,
};

export function createSimulatorControl(ctx: SimulatorContext): PosSimulatorControl {
  const { state, faults } = ctx;
  return {
    setFaults(vendor, next) {
      for (const v of vendor === "all" ? POS_VENDORS : [vendor]) faults.set(v, next);
    },
    clearFaults(vendor) {
      faults.clear(vendor);
    },
    faults(vendor) {
      return faults.get(vendor);
    },
    outage(vendor, durationMs) {
      const now = Date.now();
      faults.set(vendor, {
        outages: [...(faults.get(vendor).outages ?? []), { startAt: now, endAt: now + durationMs }],
      });
    },
    setOrderStatus(vendor, posOrderId, status) {
      return SET_STATUS[vendor](state, posOrderId, status);
    },
    orderStatus(vendor, posOrderId) {
      if (vendor === "square") {
        const order = state.squareOrders.get(posOrderId);
        return order ? squareOrderStatus(order.state, order.fulfillments?.[0]?.state) : null;
      }
      if (vendor === "toast") {
        const order = state.toastOrders.get(posOrderId);
        return order ? toastOrderStatus(order) : null;
      }
      return state.localOrders.get(posOrderId)?.status ?? null;
    },
    seed(entry) {
      if (entry.catalog) state.setCatalog(entry.vendor, entry.tenant, entry.catalog);
      if (entry.inventory) state.setInventory(entry.vendor, entry.tenant, entry.inventory);
    },
    orders(vendor) {
      return state.orders(vendor);
    },
    payments(vendor) {
      return state.payments(vendor);
    },
    refunds(vendor) {
      return state.refunds(vendor);
    },
    counts() {
      return {
        square: state.counts("square", faults.injected("square"), ctx.limiter.throttled("square")),
        toast: state.counts("toast", faults.injected("toast"), ctx.limiter.throttled("toast")),
        local: state.counts("local", faults.injected("local"), ctx.limiter.throttled("local")),
      };
    },
    sendWebhook(webhook) {
      return sendSimulatorWebhook(state, webhook);
    },
    reset() {
      state.reset();
      faults.resetCounts();
      ctx.limiter.reset();
    },
  };
}
