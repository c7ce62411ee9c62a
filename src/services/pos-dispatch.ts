import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { orders, payments } from "../../db/schema";
import type { PosJobs } from "../../workers/jobs/pos-jobs";
import type { Logger } from "../logger";
import type { Queue } from "../queue/queue";

/** A sync job refuses a second copy for this long, longer than all its backoffs and timeouts together. */
export const SYNC_UNIQUE_SECONDS = 3 * 60 * 60;
/** A `pending` row younger than this is left to the request that created it. */
export const SWEEP_GRACE_MS = 5_000;
/** A `queued` row older than this is dispatched again; the unique lock refuses it if its job still exists. */
export const REQUEUE_AFTER_MS = SYNC_UNIQUE_SECONDS * 1000;
const SWEEP_BATCH = 500;
/** A request waits this long for Redis to take its job, then leaves the row to the sweeper. */
export const DISPATCH_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Hands orders and payments to the POS sync queue without ever losing one.
 * The rows are their own outbox: a new row is `pending`; once its job is in
 * Redis it becomes `queued`. If Redis is down when the request commits, the
 * row stays `pending` and the sweeper (run by every worker) dispatches it later.
 */
export class PosDispatcher {
  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
    private readonly jobs: PosJobs,
    private readonly logger: Logger,
  ) {}

  /** After an order commits: dispatch OrderSyncToPOS, or leave it to the sweeper when Redis fails. */
  async orderPlaced(order: { id: number; restaurantId: number }): Promise<boolean> {
    try {
      await withTimeout(
        this.queue.dispatch(
          this.jobs.orderSyncToPos,
          { orderId: order.id, restaurantId: order.restaurantId },
          { uniqueFor: SYNC_UNIQUE_SECONDS },
        ),
        DISPATCH_TIMEOUT_MS,
      );
    } catch (error) {
      this.logger.warn("order sync not dispatched; the sweeper will", {
        orderId: order.id,
        error: (error as Error).message,
      });
      return false;
    }
    await this.markQueued("orders", [order.id]);
    return true;
  }

  /** After a payment commits: dispatch PaymentSyncToPOS, or leave it to the sweeper. */
  async paymentRecorded(payment: { id: number; restaurantId: number }): Promise<boolean> {
    try {
      await withTimeout(
        this.queue.dispatch(
          this.jobs.paymentSyncToPos,
          { paymentId: payment.id, restaurantId: payment.restaurantId },
          { uniqueFor: SYNC_UNIQUE_SECONDS },
        ),
        DISPATCH_TIMEOUT_MS,
      );
    } catch (error) {
      this.logger.warn("payment sync not dispatched; the sweeper will", {
        paymentId: payment.id,
        error: (error as Error).message,
      });
      return false;
    }
    await this.markQueued("payments", [payment.id]);
    return true;
  }

  /** Dispatches every row the API could not hand over (and re-dispatches long-queued ones). */
  async sweep(now = Date.now()): Promise<{ orders: number; payments: number }> {
    const stale = (table: typeof orders | typeof payments) =>
      or(
        and(eq(table.posSyncState, "pending"), lt(table.createdAt, new Date(now - SWEEP_GRACE_MS))),
        and(eq(table.posSyncState, "queued"), lt(table.createdAt, new Date(now - REQUEUE_AFTER_MS))),
      );
    const orderRows = await this.db
      .select({ id: orders.id, restaurantId: orders.restaurantId })
      .from(orders)
      .where(stale(orders))
      .limit(SWEEP_BATCH);
    if (orderRows.length > 0) {
      await this.queue.dispatchMany(
        this.jobs.orderSyncToPos,
        orderRows.map((o) => ({ orderId: o.id, restaurantId: o.restaurantId })),
        { uniqueFor: SYNC_UNIQUE_SECONDS },
      );
      await this.markQueued(
        "orders",
        orderRows.map((o) => o.id),
      );
    }
    const paymentRows = await this.db
      .select({ id: payments.id, restaurantId: payments.restaurantId })
      .from(payments)
      .where(stale(payments))
      .limit(SWEEP_BATCH);
    if (paymentRows.length > 0) {
      await this.queue.dispatchMany(
        this.jobs.paymentSyncToPos,
        paymentRows.map((p) => ({ paymentId: p.id, restaurantId: p.restaurantId })),
        { uniqueFor: SYNC_UNIQUE_SECONDS },
      );
      await this.markQueued(
        "payments",
        paymentRows.map((p) => p.id),
      );
    }
    if (orderRows.length + paymentRows.length > 0) {
      this.logger.info("sweeper dispatched", { orders: orderRows.length, payments: paymentRows.length });
    }
    return { orders: orderRows.length, payments: paymentRows.length };
  }

  private async markQueued(table: "orders" | "payments", ids: number[]): Promise<void> {
    // Only `pending` moves to `queued`: a job that already finished keeps its `synced`.
    if (table === "orders") {
      await this.db
        .update(orders)
        .set({ posSyncState: "queued" })
        .where(and(inArray(orders.id, ids), eq(orders.posSyncState, "pending")));
    } else {
      await this.db
        .update(payments)
        .set({ posSyncState: "queued" })
        .where(and(inArray(payments.id, ids), eq(payments.posSyncState, "pending")));
    }
  }
}
