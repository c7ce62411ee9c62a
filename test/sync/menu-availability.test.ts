import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { menuItemBranchOverrides, menuItems } from "../../db/schema";
import { simulatorSeedFromDatabase } from "../../src/pos/simulator/seed-from-database";
import { createSyncWorld, eventually, type SyncWorld } from "./world";

let w: SyncWorld;
let staff: string;
let owner: string;
let customer: string;
let branchA: number;
let branchB: number;
let item: { id: number; posId: string; priceCents: number };

beforeAll(async () => {
  w = await createSyncWorld();
  await w.startRuntime();
  staff = await w.t.tokenFor("staff@demo.test");
  owner = await w.t.tokenFor("owner@demo.test");
  customer = await w.t.tokenFor("customer@demo.test");
  const branches = (await w.t.call("GET", "/v1/restaurants/1")).body.branches as Array<{ id: number }>;
  [branchA, branchB] = [branches[0]!.id, branches[1]!.id];
  const [row] = await w.t.db
    .select({ id: menuItems.id, posId: menuItems.posExternalId, priceCents: menuItems.priceCents })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, 1), eq(menuItems.available, true), isNull(menuItems.branchId)))
    .limit(1);
  item = { id: row!.id, posId: row!.posId!, priceCents: row!.priceCents };
}, 300_000);
afterAll(() => w.close());

const path = (branchId: number) => `/v1/restaurants/1/branches/${branchId}/menu-items/${item.id}/availability`;

async function shown(branchId?: number) {
  const menu = await w.t.call("GET", `/v1/restaurants/1/menu${branchId ? `?branchId=${branchId}` : ""}`);
  const found = menu.body.categories
    .flatMap((c: { items: Array<{ id: number; available: boolean; priceCents: number }> }) => c.items)
    .find((i: { id: number }) => i.id === item.id);
  return found as { available: boolean; priceCents: number };
}

async function order(branchId: number) {
  return w.t.call("POST", "/v1/orders", {
    token: customer,
    headers: { "idempotency-key": `eighty-six-${branchId}-${Date.now()}` },
    body: { restaurantId: 1, branchId, type: "pickup", items: [{ menuItemId: item.id, quantity: 1 }] },
  });
}

/**
 * Pulls the menu from the POS and waits until the pull has written the item. The first goes
 * through the API; the API keeps one pull per restaurant for 10 minutes, so the second is
 * dispatched to the queue directly.
 */
async function pullMenu(via: "api" | "queue") {
  const since = new Date();
  if (via === "api") {
    const res = await w.t.call("POST", "/v1/restaurants/1/pos/sync-menu", { token: owner });
    expect(res.status).toBe(202);
  } else {
    const runtime = w.runtime!;
    expect(await runtime.queue.dispatch(runtime.jobs.menuSyncFromPos, { restaurantId: 1 })).not.toBeNull();
  }
  const done = await eventually(async () => {
    const [row] = await w.t.db.select({ at: menuItems.updatedAt }).from(menuItems).where(eq(menuItems.id, item.id));
    return (row?.at.getTime() ?? 0) >= since.getTime();
  }, 30_000);
  expect(done).toBe(true);
}

describe("86'ing a menu item at one branch", () => {
  setDefaultTimeout(60_000);

  it("shows at once in that branch's cached menu and refuses orders there, not elsewhere", async () => {
    expect((await shown(branchA)).available).toBe(true);
    expect((await shown(branchA)).available).toBe(true); // now cached
    const res = await w.t.call("PUT", path(branchA), { token: staff, body: { available: false } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ restaurantId: 1, branchId: branchA, menuItemId: item.id, available: false });
    expect((await shown(branchA)).available).toBe(false);
    expect((await shown(branchB)).available).toBe(true);
    expect((await shown()).available).toBe(true);
    const refused = await order(branchA);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("item_unavailable");
    expect((await order(branchB)).status).toBe(201);
  });

  it("keeps the override through a menu pull that finds the item unchanged on the POS", async () => {
    await pullMenu("api");
    expect((await shown(branchA)).available).toBe(false);
    const overrides = await w.t.db
      .select()
      .from(menuItemBranchOverrides)
      .where(eq(menuItemBranchOverrides.menuItemId, item.id));
    expect(overrides).toHaveLength(1);
  });

  it("drops the override when the POS changed the item, and the POS's word wins", async () => {
    const seed = (await simulatorSeedFromDatabase(w.t.db)).find((s) => s.vendor === "square" && s.catalog)!;
    const catalog = structuredClone(seed.catalog!);
    const onPos = catalog.items.find((i) => i.posExternalId === item.posId)!;
    onPos.priceCents = item.priceCents + 100;
    w.sim.control.seed({ vendor: "square", tenant: seed.tenant, catalog });
    await pullMenu("queue");
    const after = await shown(branchA);
    expect(after).toMatchObject({ available: true, priceCents: item.priceCents + 100 });
    const overrides = await w.t.db
      .select()
      .from(menuItemBranchOverrides)
      .where(eq(menuItemBranchOverrides.menuItemId, item.id));
    expect(overrides).toHaveLength(0);
  });

  it("lets staff clear an override, and refuses customers, strangers and bad input", async () => {
    await w.t.call("PUT", path(branchB), { token: staff, body: { available: false } });
    expect((await shown(branchB)).available).toBe(false);
    expect((await w.t.call("DELETE", path(branchB), { token: staff })).status).toBe(204);
    expect((await shown(branchB)).available).toBe(true);
    expect((await w.t.call("PUT", path(branchB), { token: customer, body: { available: false } })).status).toBe(404);
    const bad = await w.t.call("PUT", path(branchB), { token: staff, body: { available: "no" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_error");
    const wrongBranch = `/v1/restaurants/1/branches/999999/menu-items/${item.id}/availability`;
    expect((await w.t.call("PUT", wrongBranch, { token: staff, body: { available: false } })).status).toBe(404);
    expect((await shown(branchB)).available).toBe(true);
  });
});
