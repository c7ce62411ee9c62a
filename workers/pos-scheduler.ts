import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { posConnections } from "../db/schema";
import type { Logger } from "../src/logger";
import { posKeys } from "../src/pos/pos-keys";
import type { Queue } from "../src/queue/queue";
import type { RedisConnection } from "../src/redis/types";
import type { PosDispatcher } from "../src/services/pos-sync/pos-dispatch";
import { InventoryUpdateFromPOS, MenuSyncFromPOS } from "../src/sync/pos-job-contracts";

export type PosSchedulerOptions = {
  db: Database;
  redis: RedisConnection;
  prefix: string;
  queue: Queue;
  dispatcher: PosDispatcher;
  logger: Logger;
  /** How often the sweeper and the schedule run (ms). */
  tickMs?: number;
  /** Inventory pull period per POS connection (ms); 0 turns the pull off. */
  inventoryEveryMs?: number;
  /** Menu pull period per POS connection (ms); 0 turns the pull off. */
  menuEveryMs?: number;
};

export const DEFAULT_INVENTORY_EVERY_MS = 5 * 60_000;
export const DEFAULT_MENU_EVERY_MS = 24 * 60 * 60_000;

/**
 * Claims a schedule slot: of all the workers ticking, only the first to claim
 * slot N of a (kind, restaurant) dispatches, so N workers don't pull N times.
 */
async function claimSlot(
  redis: RedisConnection,
  key: (slot: number) => string,
  everyMs: number,
  now: number,
): Promise<boolean> {
  const reply = await redis.send("SET", [key(Math.floor(now / everyMs)), "1", "NX", "PX", everyMs * 2]);
  return reply !== null;
}

/**
 * One round of the schedule: the sweeper that hands `pending` orders and
 * payments to the queue (nothing is lost while Redis was down), and the
 * inventory and menu pulls per POS connection whose slot is due. Every worker
 * process runs it on a timer; the Workers Cron Trigger runs it once a call.
 */
export function posScheduleTick(
  options: Omit<PosSchedulerOptions, "tickMs" | "logger">,
): (now?: number) => Promise<void> {
  const inventoryEveryMs = options.inventoryEveryMs ?? DEFAULT_INVENTORY_EVERY_MS;
  const menuEveryMs = options.menuEveryMs ?? DEFAULT_MENU_EVERY_MS;
  const keys = posKeys(options.prefix);

  return async (now = Date.now()) => {
    await options.dispatcher.sweep(now);
    if (inventoryEveryMs <= 0 && menuEveryMs <= 0) return;
    const connections = await options.db
      .select({ restaurantId: posConnections.restaurantId })
      .from(posConnections)
      .where(eq(posConnections.status, "active"));
    for (const { restaurantId } of connections) {
      if (
        inventoryEveryMs > 0 &&
        (await claimSlot(
          options.redis,
          (slot) => keys.scheduleSlot("inventory", restaurantId, slot),
          inventoryEveryMs,
          now,
        ))
      ) {
        await options.queue.dispatch(InventoryUpdateFromPOS, { restaurantId }, { uniqueFor: inventoryEveryMs / 1000 });
      }
      if (
        menuEveryMs > 0 &&
        (await claimSlot(options.redis, (slot) => keys.scheduleSlot("menu", restaurantId, slot), menuEveryMs, now))
      ) {
        await options.queue.dispatch(MenuSyncFromPOS, { restaurantId }, { uniqueFor: 3600 });
      }
    }
  };
}

/** The schedule on a timer, beside a worker process's handlers. */
export function startPosScheduler(options: PosSchedulerOptions): { tick(now?: number): Promise<void>; stop(): void } {
  const tickMs = options.tickMs ?? 10_000;
  const tick = posScheduleTick(options);
  let running = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    try {
      await tick();
    } catch (error) {
      // Redis or the database is down: try again next tick; rows stay `pending` meanwhile.
      options.logger.warn("pos scheduler tick failed", { error: (error as Error).message });
    }
    if (running) timer = setTimeout(loop, tickMs);
  };
  timer = setTimeout(loop, 0);
  return {
    tick,
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
    },
  };
}
