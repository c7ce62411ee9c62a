/**
 * Deterministic demo data for FoodHub Sync: `bun run db:seed` (add `--reset` to start over).
 *
 * Every id, name and timestamp comes from fixed seeds and from `now`, which defaults to the
 * constant `DEFAULT_SEED_NOW` (not the wall clock), so two runs produce identical databases.
 * The order history covers the `HISTORY_DAYS` days before `now`.
 */
import type { Database } from "./client";
import {
  branches,
  customers,
  deliveries,
  inventoryLevels,
  loyaltyPrograms,
  loyaltyRules,
  menuCategories,
  menuItems,
  orderItems,
  orders,
  payments,
  posConnections,
  restaurantMembers,
  restaurants,
  users,
} from "./schema";
import { DEFAULT_SEED_NOW } from "./seed/demo-identities";
import { buildLoyalty, buildPosConnections, DEFAULT_POS_BASE_URL } from "./seed/loyalty-and-pos-rows";
import { buildMenuWorld } from "./seed/menu-rows";
import { buildOrderHistory } from "./seed/order-rows";
import { buildPeople } from "./seed/people-rows";
import { SeededRandom } from "./seed/random";
import { RESTAURANT_PLANS } from "./seed/restaurant-plans";
import { assertEmpty, hasDemoUsers, insertInChunks, resetIdentitySequences, truncateAppTables } from "./seed/write";

export {
  DEFAULT_SEED_NOW,
  DEMO_CUSTOMER_ID,
  DEMO_RESTAURANTS,
  DEMO_USER_IDS,
  DEMO_USERS,
} from "./seed/demo-identities";

export const HISTORY_DAYS = 90;

export type SeedOptions = {
  /** The end of the order history; defaults to the fixed `DEFAULT_SEED_NOW`. */
  now?: Date;
  /** Called with one line per insert statement, and once after the rows are generated. */
  onProgress?: (message: string) => void;
  /** Where the POS simulator listens; connections get `/square`, `/toast` and `/local` under it. */
  posBaseUrl?: string;
};

/** Rows written, by table. */
export type SeedCounts = Record<
  | "users"
  | "restaurants"
  | "restaurantMembers"
  | "branches"
  | "menuCategories"
  | "menuItems"
  | "inventoryLevels"
  | "customers"
  | "loyaltyPrograms"
  | "loyaltyRules"
  | "posConnections"
  | "orders"
  | "orderItems"
  | "payments"
  | "deliveries",
  number
>;

export type SeedSummary = { counts: SeedCounts; historyStart: Date; now: Date; elapsedMs: number };

/**
 * Fills an empty, migrated database with the demo world, in one transaction. Throws (writing
 * nothing) if the database already holds users, restaurants, customers or orders.
 */
export async function seedDatabase(db: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const now = options.now ?? DEFAULT_SEED_NOW;
  const historyStart = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const onProgress = options.onProgress ?? (() => {});

  // Separate streams, so changing one kind of data does not reshuffle the others.
  const world = buildMenuWorld(RESTAURANT_PLANS, now, new SeededRandom(1));
  const people = buildPeople(now, historyStart, new SeededRandom(2));
  const loyalty = buildLoyalty(now);
  const pos = buildPosConnections(now, options.posBaseUrl ?? DEFAULT_POS_BASE_URL);
  const history = buildOrderHistory(
    { plans: RESTAURANT_PLANS, world, customers: people.customers, historyStart, now },
    new SeededRandom(3),
  );
  onProgress(`generated ${history.orders.length} orders in ${Math.round(performance.now() - started)} ms`);

  const counts = await db.transaction(async (tx): Promise<SeedCounts> => {
    await assertEmpty(tx);
    const counts: SeedCounts = {
      users: await insertInChunks(tx, users, people.users, onProgress),
      restaurants: await insertInChunks(tx, restaurants, world.restaurants, onProgress),
      restaurantMembers: await insertInChunks(tx, restaurantMembers, people.members, onProgress),
      branches: await insertInChunks(tx, branches, world.branches, onProgress),
      menuCategories: await insertInChunks(tx, menuCategories, world.categories, onProgress),
      menuItems: await insertInChunks(tx, menuItems, world.items, onProgress),
      inventoryLevels: await insertInChunks(tx, inventoryLevels, world.inventory, onProgress),
      customers: await insertInChunks(tx, customers, people.customers, onProgress),
      loyaltyPrograms: await insertInChunks(tx, loyaltyPrograms, loyalty.programs, onProgress),
      loyaltyRules: await insertInChunks(tx, loyaltyRules, loyalty.rules, onProgress),
      posConnections: await insertInChunks(tx, posConnections, pos, onProgress),
      orders: await insertInChunks(tx, orders, history.orders, onProgress),
      orderItems: await insertInChunks(tx, orderItems, history.items, onProgress),
      payments: await insertInChunks(tx, payments, history.payments, onProgress),
      deliveries: await insertInChunks(tx, deliveries, history.deliveries, onProgress),
    };
    await resetIdentitySequences(tx);
    return counts;
  });
  return { counts, historyStart, now, elapsedMs: Math.round(performance.now() - started) };
}

if (import.meta.main) {
  const { loadConfig } = await import("../src/config");
  const { openConfiguredDatabaseOrExit } = await import("./client");
  const { runMigrations } = await import("./migrate");
  const { parseCommandLine } = await import("../src/runtime/command-line");
  const { values } = parseCommandLine({
    usage: `bun run db:seed [--reset]

  Deterministic demo data in the configured database (DATABASE_URL, else PGlite in PGLITE_DIR,
  or the one \`bun run dev\` serves). Idempotent; --reset truncates the app's tables first.`,
    options: { reset: { type: "boolean", default: false } },
  });
  const reset = values.reset;
  const config = loadConfig();
  const handle = await openConfiguredDatabaseOrExit(config);
  try {
    await runMigrations(handle);
    if (reset) {
      await truncateAppTables(handle.db);
      console.log("reset: app tables truncated");
    }
    if (!reset && (await hasDemoUsers(handle.db))) {
      console.log("already seeded (run with --reset to start over)");
    } else {
      const { counts, elapsedMs } = await seedDatabase(handle.db, {
        onProgress: (message) => console.log(message),
        posBaseUrl: config.DEV_POS_SIM_PORT ? `http://127.0.0.1:${config.DEV_POS_SIM_PORT}` : undefined,
      });
      console.log(
        `seeded (${handle.kind}): ${counts.restaurants} restaurants, ${counts.branches} branches, ` +
          `${counts.menuItems} menu items, ${counts.customers} customers, ${counts.orders} orders ` +
          `(${counts.orderItems} items, ${counts.payments} payments, ${counts.deliveries} deliveries) ` +
          `in ${(elapsedMs / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await handle.close();
  }
}
