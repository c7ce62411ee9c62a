import { inventoryUpdateFromPos } from "./inventory-update-from-pos";
import { menuSyncFromPos } from "./menu-sync-from-pos";
import { orderStatusSyncFromPos } from "./order-status-sync-from-pos";
import { orderSyncToPos } from "./order-sync-to-pos";
import { paymentSyncToPos } from "./payment-sync-to-pos";
import type { PosJobDeps } from "./pos-job-deps";

/** The five POS sync jobs, bound to their dependencies. The worker runs them; the API dispatches them. */
export function createPosJobs(deps: PosJobDeps) {
  const jobs = {
    orderSyncToPos: orderSyncToPos(deps),
    orderStatusSyncFromPos: orderStatusSyncFromPos(deps),
    paymentSyncToPos: paymentSyncToPos(deps),
    inventoryUpdateFromPos: inventoryUpdateFromPos(deps),
    menuSyncFromPos: menuSyncFromPos(deps),
  };
  return { ...jobs, all: Object.values(jobs) };
}

export type PosJobs = ReturnType<typeof createPosJobs>;
