import { type AnyJobDefinition, defineJob } from "../../src/queue/job";
import { inventoryUpdateFromPos } from "./inventory-update-from-pos";
import { menuSyncFromPos } from "./menu-sync-from-pos";
import { orderCancelToPos } from "./order-cancel-to-pos";
import { orderStatusSyncFromPos } from "./order-status-sync-from-pos";
import { orderSyncToPos } from "./order-sync-to-pos";
import { paymentSyncToPos } from "./payment-sync-to-pos";
import type { PosJobDeps } from "./pos-job-deps";
import { refundSyncToPos } from "./refund-sync-to-pos";

export type PosJobsOptions = {
  /**
   * Multiplies every backoff and timeout. 1 in production; tests and the soak
   * run use e.g. 0.001 so a 60 s backoff takes 60 ms and a run takes seconds.
   */
  timeScale?: number;
};

/**
 * A compressed clock speeds up waiting, not the work an attempt does: a scaled timeout never drops
 * below this, or a loaded machine (a GC pause, a busy database) would time attempts out, count the
 * timeouts as POS outages and open the breaker.
 */
export const MIN_SCALED_TIMEOUT_SECONDS = 2;

/** The same job with its clock sped up: backoffs, timeout (down to a floor) and every release delay. */
export function scaled<J extends AnyJobDefinition>(job: J, scale: number): J {
  if (scale === 1) return job;
  return defineJob({
    ...job,
    backoff: job.backoff.map((s) => s * scale),
    timeout: Math.max(job.timeout * scale, MIN_SCALED_TIMEOUT_SECONDS),
    handle: (payload, ctx) => job.handle(payload, { ...ctx, release: (seconds) => ctx.release(seconds * scale) }),
  }) as J;
}

/** Handlers of the seven POS sync contracts, bound to their dependencies: what the worker runs. */
export function createPosJobs(deps: PosJobDeps, options: PosJobsOptions = {}) {
  const scale = options.timeScale ?? 1;
  const jobs = {
    orderSyncToPos: scaled(orderSyncToPos(deps), scale),
    orderCancelToPos: scaled(orderCancelToPos(deps), scale),
    orderStatusSyncFromPos: scaled(orderStatusSyncFromPos(deps), scale),
    paymentSyncToPos: scaled(paymentSyncToPos(deps), scale),
    refundSyncToPos: scaled(refundSyncToPos(deps), scale),
    inventoryUpdateFromPos: scaled(inventoryUpdateFromPos(deps), scale),
    menuSyncFromPos: scaled(menuSyncFromPos(deps), scale),
  };
  return { ...jobs, all: Object.values(jobs) };
}

export type PosJobs = ReturnType<typeof createPosJobs>;
