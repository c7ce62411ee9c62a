/**
 * `bun run bench:queries`: the naive N+1 way against ours, on a seeded
 * PGlite, for the menu (10 and 1,000 items) and the order listing (pages of
 * 10, 50 and 100): queries per request and time per request. Writes
 * bench/results/queries-latest.json.
 */
import { asc, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { deliveries, menuCategories, menuItems, orderItems, orders, payments, restaurants } from "../db/schema";
import { parseCommandLine } from "../src/runtime/command-line";
import { listRestaurantOrders } from "../src/services/orders/restaurant-orders";
import { getMenu } from "../src/services/restaurants/restaurants";
import { percentile } from "./support/load";
import { seededDatabase } from "./support/seeded-database";

const { values: flags } = parseCommandLine({
  usage: `bun run bench:queries [--quick]

  The API's fixed-query loads against naive N+1 loading on the same data. --quick: fewer runs.`,
  options: { quick: { type: "boolean", default: false } },
});
const RUNS = flags.quick ? 10 : 40;
const WARMUP = 3;

let statements = 0;
const handle = await seededDatabase({
  onQuery: () => {
    statements += 1;
  },
});
const db = handle.db;

/** A restaurant whose menu has `items` items spread over categories of 20. */
async function restaurantWithMenu(items: number): Promise<number> {
  const [restaurant] = await db
    .insert(restaurants)
    .values({ name: `Bench ${items}`, slug: `bench-${items}` })
    .returning({ id: restaurants.id });
  const id = restaurant!.id;
  const categories = await db
    .insert(menuCategories)
    .values(Array.from({ length: Math.ceil(items / 20) }, (_, i) => ({ restaurantId: id, name: `C${i}`, position: i })))
    .returning({ id: menuCategories.id });
  await db.insert(menuItems).values(
    Array.from({ length: items }, (_, i) => ({
      restaurantId: id,
      categoryId: categories[Math.floor(i / 20)]!.id,
      name: `Item ${i}`,
      priceCents: 500 + i,
    })),
  );
  return id;
}

/** The menu the N+1 way: the restaurant, its categories, then each category's items. */
async function naiveMenu(database: Database, restaurantId: number) {
  const [restaurant] = await database.select().from(restaurants).where(eq(restaurants.id, restaurantId));
  const categories = await database
    .select()
    .from(menuCategories)
    .where(eq(menuCategories.restaurantId, restaurantId))
    .orderBy(asc(menuCategories.position));
  const withItems = [];
  for (const category of categories) {
    const items = await database.select().from(menuItems).where(eq(menuItems.categoryId, category.id));
    withItems.push({ ...category, items });
  }
  return { restaurant, categories: withItems };
}

/** An order page the N+1 way: the page, then each order's items, payments and delivery. */
async function naiveOrders(database: Database, restaurantId: number, pageSize: number) {
  const page = await database
    .select()
    .from(orders)
    .where(eq(orders.restaurantId, restaurantId))
    .orderBy(desc(orders.createdAt))
    .limit(pageSize);
  const out = [];
  for (const order of page) {
    const items = await database.select().from(orderItems).where(eq(orderItems.orderId, order.id));
    const paid = await database.select().from(payments).where(eq(payments.orderId, order.id));
    const [delivery] = await database.select().from(deliveries).where(eq(deliveries.orderId, order.id));
    out.push({ ...order, items, payments: paid, delivery: delivery ?? null });
  }
  return out;
}

type Row = { case: string; approach: "naive" | "ours"; queries: number; medianMs: number; p95Ms: number };
const rows: Row[] = [];

async function measure(name: string, approach: Row["approach"], run: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i += 1) await run();
  statements = 0;
  await run();
  const queries = statements;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  rows.push({
    case: name,
    approach,
    queries,
    medianMs: round(percentile(times, 0.5)),
    p95Ms: round(percentile(times, 0.95)),
  });
}

for (const size of [10, 1000]) {
  const id = await restaurantWithMenu(size);
  await measure(`menu, ${size} items`, "naive", () => naiveMenu(db, id));
  await measure(`menu, ${size} items`, "ours", () => getMenu(db, id));
}
for (const pageSize of [10, 50, 100]) {
  await measure(`orders, page of ${pageSize}`, "naive", () => naiveOrders(db, 1, pageSize));
  await measure(`orders, page of ${pageSize}`, "ours", () => listRestaurantOrders(db, 1, {}, 1, pageSize));
}

await Bun.write(
  new URL("./results/queries-latest.json", import.meta.url),
  `${JSON.stringify({ generatedAt: new Date().toISOString(), runs: RUNS, bun: Bun.version, rows }, null, 2)}\n`,
);
console.log("| case | approach | queries | median ms | p95 ms |\n|---|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.case} | ${r.approach} | ${r.queries} | ${r.medianMs} | ${r.p95Ms} |`);
await handle.close();
