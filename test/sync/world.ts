import { and, asc, eq, sql } from "drizzle-orm";
import { branches, inventoryLevels, menuItems, orders, posConnections } from "../../db/schema";
import { createLogger } from "../../src/logger";
import type { VendorFaults } from "../../src/pos/simulator/faults";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { simulatorSeedFromDatabase } from "../../src/pos/simulator/seed-from-database";
import type { PosType } from "../../src/pos/types";
import { type PosRuntime, type PosRuntimeOptions, startPosRuntime } from "../../workers/pos-runtime";
import { createTestApp, type TestApp } from "../support/app";
import { paymentSettings } from "../support/payments";
import { FAST_BREAKER, FAST_WORKER, TIME_SCALE } from "./timing";

export type SyncWorld = {
  t: TestApp;
  sim: PosSimulator;
  /** The API over real HTTP (webhooks from the simulator reach it here). */
  apiUrl: string;
  runtime: PosRuntime | null;
  startRuntime(overrides?: Partial<PosRuntimeOptions>): Promise<PosRuntime>;
  close(): Promise<void>;
};

/**
 * The API, a simulator whose catalogs match the database (and which is the payment provider too),
 * and (on demand) an in-process worker.
 */
export async function createSyncWorld(faults?: Partial<Record<PosType, VendorFaults>>): Promise<SyncWorld> {
  const sim = await startPosSimulator({ randomSeed: 42, faults });
  // The simulator is also the payment provider (Square Payments), as in the dev command.
  const t = await createTestApp({ settings: paymentSettings(sim) });
  for (const posType of ["square", "toast", "local"] as const) {
    await t.db
      .update(posConnections)
      .set({ baseUrl: sim.baseUrl(posType) })
      .where(eq(posConnections.posType, posType));
  }
  for (const seed of await simulatorSeedFromDatabase(t.db)) sim.control.seed(seed);
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
  const world: SyncWorld = {
    t,
    sim,
    apiUrl: `http://127.0.0.1:${server.port}`,
    runtime: null,
    async startRuntime(overrides = {}) {
      const runtime = await startPosRuntime({
        config: t.config,
        db: t.db,
        redis: t.redis,
        logger: createLogger("silent"),
        timeScale: TIME_SCALE,
        breaker: FAST_BREAKER,
        worker: FAST_WORKER,
        scheduler: { tickMs: 100, inventoryEveryMs: 0, menuEveryMs: 0 },
        ...overrides,
      });
      world.runtime = runtime;
      return runtime;
    },
    async close() {
      await world.runtime?.stop();
      await server.stop(true);
      await sim.stop();
      await t.close();
    },
  };
  return world;
}

/** Polls until `check` holds or the deadline passes; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await Bun.sleep(everyMs);
  }
  return check();
}

/** Orders of these ids whose POS sync state is not yet `synced`. */
export async function unsynced(t: TestApp, ids: number[]): Promise<number> {
  const [row] = await t.db
    .select({ n: sql<number>`count(*)::int` })
    .from(orders)
    .where(sql`${orders.id} in ${ids} and ${orders.posSyncState} <> 'synced'`);
  return row?.n ?? 0;
}

let keys = 0;
/** Places an order for the demo customer through the API; returns its id. */
export async function placeOrder(t: TestApp, restaurantId: number): Promise<number> {
  const customer = await t.tokenFor("customer@demo.test");
  const restaurant = await t.call("GET", `/v1/restaurants/${restaurantId}`);
  const menu = await t.call("GET", `/v1/restaurants/${restaurantId}/menu`);
  const items = menu.body.categories
    .flatMap((c: { items: Array<{ id: number; available: boolean; branchId: number | null }> }) => c.items)
    .filter((i: { available: boolean; branchId: number | null }) => i.available && i.branchId === null)
    .slice(0, 2);
  const res = await t.call("POST", "/v1/orders", {
    token: customer,
    headers: { "idempotency-key": `sync-test-${process.pid}-${++keys}-${Date.now()}` },
    body: {
      restaurantId,
      branchId: restaurant.body.branches[0].id,
      type: "pickup",
      items: items.map((i: { id: number }) => ({ menuItemId: i.id, quantity: 1 })),
    },
  });
  if (res.status !== 201) throw new Error(`order not placed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * The first stocked item of restaurant 1's main branch (its POS is Square), its level set well
 * above its low-stock threshold, and a way to set its stock on the POS side.
 */
export async function stockedItem(w: SyncWorld) {
  const [main] = await w.t.db
    .select({ id: branches.id })
    .from(branches)
    .where(eq(branches.restaurantId, 1))
    .orderBy(asc(branches.id))
    .limit(1);
  const [level] = await w.t.db
    .select({ itemId: inventoryLevels.menuItemId, threshold: inventoryLevels.lowStockThreshold })
    .from(inventoryLevels)
    .innerJoin(menuItems, eq(menuItems.id, inventoryLevels.menuItemId))
    .where(and(eq(inventoryLevels.branchId, main!.id), eq(menuItems.restaurantId, 1)))
    .orderBy(asc(inventoryLevels.menuItemId))
    .limit(1);
  const branchId = main!.id;
  const itemId = level!.itemId;
  const levelWhere = and(eq(inventoryLevels.branchId, branchId), eq(inventoryLevels.menuItemId, itemId));
  await w.t.db
    .update(inventoryLevels)
    .set({ quantity: level!.threshold + 10 })
    .where(levelWhere);
  const [item] = await w.t.db
    .select({ posId: menuItems.posExternalId })
    .from(menuItems)
    .where(eq(menuItems.id, itemId));
  const seed = (await simulatorSeedFromDatabase(w.t.db)).find((s) => s.vendor === "square" && s.inventory)!;
  return {
    branchId,
    itemId,
    threshold: level!.threshold,
    setPosStock: (quantity: number) =>
      w.sim.control.seed({ vendor: "square", tenant: seed.tenant, inventory: [{ posItemId: item!.posId!, quantity }] }),
    async quantity(): Promise<number | undefined> {
      const [row] = await w.t.db.select({ quantity: inventoryLevels.quantity }).from(inventoryLevels).where(levelWhere);
      return row?.quantity;
    },
  };
}
