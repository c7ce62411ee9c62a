import { and, asc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orders, payments } from "../../../db/schema";
import type { Logger } from "../../logger";
import type { Queue } from "../../queue/queue";
import { RefundCardPayment, SettleCardPayment } from "../../sync/payment-job-contracts";
import { OrderCancelToPOS, OrderSyncToPOS, PaymentSyncToPOS } from "../../sync/pos-job-contracts";
import { dispatchRefundSyncs, sweepRefunds } from "./refund-dispatch";

/** A sync job refuses a second copy for this long, longer than all its backoffs and timeouts together. */
export const SYNC_UNIQUE_SECONDS = 3 * 60 * 60;
/** A `pending` row younger than this is left to the request that created it. */
export const SWEEP_GRACE_MS = 5_000;
/** A `queued` row older than this is dispatched again; the unique lock refuses it if its job still exists. */
export const REQUEUE_AFTER_MS = SYNC_UNIQUE_SECONDS * 1000;
const SWEEP_BATCH = 500;
/**
 * A `pending` card payment older than this has lost its provider answer (the request waits at most
 * PAYMENT_PROVIDER_TIMEOUT_MS, 10 s by default): the sweeper hands it to SettleCardPayment.
 */
export const SETTLE_GRACE_MS = 30_000;
/** A request waits this long for Redis to take its job, then leaves the row to the sweeper. */
export const DISPATCH_TIMEOUT_MS = 1_000;

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
    private readonly logger: Logger,
  ) {}

  /** After an order commits: dispatch OrderSyncToPOS, or leave it to the sweeper when Redis fails. */
  orderPlaced(order: { id: number; restaurantId: number }): Promise<boolean> {
    return this.#handOver("orders", order.id, () =>
      this.queue.dispatch(
        OrderSyncToPOS,
        { orderId: order.id, restaurantId: order.restaurantId },
        { uniqueFor: SYNC_UNIQUE_SECONDS, timeoutMs: DISPATCH_TIMEOUT_MS, durable: true },
      ),
    );
  }

  /**
   * After a cancellation commits (`pos_cancel_state` = `pending`): dispatch OrderCancelToPOS and
   * mark it `queued`, or leave it `pending` for the sweeper when Redis fails.
   */
  async orderCancelled(order: { id: number; restaurantId: number }): Promise<boolean> {
    try {
      await this.queue.dispatch(
        OrderCancelToPOS,
        { orderId: order.id, restaurantId: order.restaurantId },
        { uniqueFor: SYNC_UNIQUE_SECONDS, timeoutMs: DISPATCH_TIMEOUT_MS, durable: true },
      );
    } catch (error) {
      this.logger.warn("POS cancel not dispatched; the sweeper will", {
        id: order.id,
        error: (error as Error).message,
      });
      return false;
    }
    await this.#markCancelsQueued([order.id]);
    return true;
  }

  async #markCancelsQueued(ids: number[]): Promise<void> {
    await this.db
      .update(orders)
      .set({ posCancelState: "queued" })
      .where(and(inArray(orders.id, ids), eq(orders.posCancelState, "pending")));
  }

  /** After a payment is captured: dispatch PaymentSyncToPOS, or leave it to the sweeper. */
  paymentRecorded(payment: { id: number; restaurantId: number }): Promise<boolean> {
    return this.#handOver("payments", payment.id, () =>
      this.queue.dispatch(
        PaymentSyncToPOS,
        { paymentId: payment.id, restaurantId: payment.restaurantId },
        { uniqueFor: SYNC_UNIQUE_SECONDS, timeoutMs: DISPATCH_TIMEOUT_MS, durable: true },
      ),
    );
  }

  /**
   * After a cancellation commits: RefundCardPayment for each card payment it marked `requested`.
   * If Redis fails the rows stay `requested` and the sweeper dispatches them.
   */
  async refundsRequested(rows: ReadonlyArray<{ id: number; restaurantId: number }>): Promise<boolean> {
    if (rows.length === 0) return true;
    try {
      await this.queue.dispatchMany(
        RefundCardPayment,
        rows.map((p) => ({ paymentId: p.id, restaurantId: p.restaurantId })),
        { uniqueFor: SYNC_UNIQUE_SECONDS, timeoutMs: DISPATCH_TIMEOUT_MS, durable: true },
      );
      return true;
    } catch (error) {
      this.logger.warn("refund not dispatched; the sweeper will", {
        ids: rows.map((p) => p.id),
        error: (error as Error).message,
      });
      return false;
    }
  }

  /** After the provider completed a refund (`pos_refund_state` = `pending`): RefundSyncToPOS, or the sweeper. */
  async refundCompleted(payment: { id: number; restaurantId: number }): Promise<boolean> {
    try {
      await dispatchRefundSyncs(this.#refundDeps(), [payment], DISPATCH_TIMEOUT_MS);
      return true;
    } catch (error) {
      this.logger.warn("POS refund sync not dispatched; the sweeper will", {
        id: payment.id,
        error: (error as Error).message,
      });
      return false;
    }
  }

  #refundDeps() {
    return { db: this.db, queue: this.queue, uniqueFor: SYNC_UNIQUE_SECONDS };
  }

  async #handOver(table: "orders" | "payments", id: number, dispatch: () => Promise<unknown>): Promise<boolean> {
    try {
      await dispatch();
    } catch (error) {
      // Typically a QueueUnavailableError (Redis down, or no answer within the timeout). Whatever
      // it was, the row stays `pending`: the order is kept and the sweeper dispatches it.
      this.logger.warn("POS sync not dispatched; the sweeper will", { table, id, error: (error as Error).message });
      return false;
    }
    await this.markQueued(table, [id]);
    return true;
  }

  /**
   * Dispatches every row the API could not hand over, oldest first, then re-dispatches rows
   * queued long ago (their job may have been lost with Redis data). The two are separate batches
   * so long-queued rows can never crowd out new ones.
   */
  async sweep(now = Date.now()): Promise<{
    orders: number;
    payments: number;
    cancels: number;
    requeued: number;
    settling: number;
    refunds: number;
    refundSyncs: number;
  }> {
    const pendingOrders = await this.db
      .select({ id: orders.id, restaurantId: orders.restaurantId })
      .from(orders)
      .where(and(eq(orders.posSyncState, "pending"), lt(orders.createdAt, new Date(now - SWEEP_GRACE_MS))))
      .orderBy(asc(orders.createdAt))
      .limit(SWEEP_BATCH);
    const pendingPayments = await this.db
      .select({ id: payments.id, restaurantId: payments.restaurantId })
      .from(payments)
      .where(
        and(
          eq(payments.posSyncState, "pending"),
          // Only money that is in: a pending or failed charge never reaches the POS.
          eq(payments.status, "captured"),
          lt(payments.createdAt, new Date(now - SWEEP_GRACE_MS)),
        ),
      )
      .orderBy(asc(payments.createdAt))
      .limit(SWEEP_BATCH);
    await this.#dispatchOrders(pendingOrders);
    await this.#dispatchPayments(pendingPayments);
    const pendingCancels = await this.db
      .select({ id: orders.id, restaurantId: orders.restaurantId })
      .from(orders)
      .where(and(eq(orders.posCancelState, "pending"), lt(orders.cancelledAt, new Date(now - SWEEP_GRACE_MS))))
      .orderBy(asc(orders.cancelledAt))
      .limit(SWEEP_BATCH);
    if (pendingCancels.length > 0) {
      await this.queue.dispatchMany(
        OrderCancelToPOS,
        pendingCancels.map((o) => ({ orderId: o.id, restaurantId: o.restaurantId })),
        { uniqueFor: SYNC_UNIQUE_SECONDS, durable: true },
      );
      await this.#markCancelsQueued(pendingCancels.map((o) => o.id));
    }

    const staleBefore = new Date(now - REQUEUE_AFTER_MS);
    const staleOrders = await this.db
      .select({ id: orders.id, restaurantId: orders.restaurantId })
      .from(orders)
      .where(and(eq(orders.posSyncState, "queued"), lt(orders.posQueuedAt, staleBefore)))
      .orderBy(asc(orders.posQueuedAt))
      .limit(SWEEP_BATCH);
    const stalePayments = await this.db
      .select({ id: payments.id, restaurantId: payments.restaurantId })
      .from(payments)
      .where(
        and(
          eq(payments.posSyncState, "queued"),
          eq(payments.status, "captured"),
          lt(payments.posQueuedAt, staleBefore),
        ),
      )
      .orderBy(asc(payments.posQueuedAt))
      .limit(SWEEP_BATCH);
    await this.#dispatchOrders(staleOrders);
    await this.#dispatchPayments(stalePayments);

    const unsettled = await this.db
      .select({ paymentId: payments.id, restaurantId: payments.restaurantId })
      .from(payments)
      .where(
        and(
          eq(payments.status, "pending"),
          eq(payments.method, "card"),
          lt(payments.createdAt, new Date(now - SETTLE_GRACE_MS)),
        ),
      )
      .orderBy(asc(payments.createdAt))
      .limit(SWEEP_BATCH);
    // The unique lock refuses a second job while one for the payment exists.
    if (unsettled.length > 0) {
      await this.queue.dispatchMany(SettleCardPayment, unsettled, { uniqueFor: SYNC_UNIQUE_SECONDS, durable: true });
    }

    const { refunds, refundSyncs } = await sweepRefunds(this.#refundDeps(), {
      refundsRequestedBefore: new Date(now - SETTLE_GRACE_MS),
      refundedBefore: new Date(now - SWEEP_GRACE_MS),
      limit: SWEEP_BATCH,
    });

    const requeued = staleOrders.length + stalePayments.length;
    const counts = {
      orders: pendingOrders.length,
      payments: pendingPayments.length,
      cancels: pendingCancels.length,
      requeued,
      settling: unsettled.length,
      refunds,
      refundSyncs,
    };
    if (Object.values(counts).some((n) => n > 0)) this.logger.info("sweeper dispatched", counts);
    return counts;
  }

  async #dispatchOrders(rows: Array<{ id: number; restaurantId: number }>): Promise<void> {
    if (rows.length === 0) return;
    await this.queue.dispatchMany(
      OrderSyncToPOS,
      rows.map((o) => ({ orderId: o.id, restaurantId: o.restaurantId })),
      { uniqueFor: SYNC_UNIQUE_SECONDS, durable: true },
    );
    await this.markQueued(
      "orders",
      rows.map((o) => o.id),
    );
  }

  async #dispatchPayments(rows: Array<{ id: number; restaurantId: number }>): Promise<void> {
    if (rows.length === 0) return;
    await this.queue.dispatchMany(
      PaymentSyncToPOS,
      rows.map((p) => ({ paymentId: p.id, restaurantId: p.restaurantId })),
      { uniqueFor: SYNC_UNIQUE_SECONDS, durable: true },
    );
    await this.markQueued(
      "payments",
      rows.map((p) => p.id),
    );
  }

  /**
   * Records that these rows' jobs are in Redis: `pending` becomes `queued`, and a re-dispatched
   * `queued` row (refused by the unique lock or not) is re-checked only after another period.
   * A row whose job already finished keeps its `synced`, `skipped` or `failed`.
   */
  private async markQueued(table: "orders" | "payments", ids: number[]): Promise<void> {
    const at = new Date();
    if (table === "orders") {
      await this.db
        .update(orders)
        .set({ posSyncState: "queued", posQueuedAt: at })
        .where(and(inArray(orders.id, ids), inArray(orders.posSyncState, ["pending", "queued"])));
    } else {
      await this.db
        .update(payments)
        .set({ posSyncState: "queued", posQueuedAt: at })
        .where(and(inArray(payments.id, ids), inArray(payments.posSyncState, ["pending", "queued"])));
    }
  }
}
