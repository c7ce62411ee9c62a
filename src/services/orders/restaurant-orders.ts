import { type AnyColumn, and, asc, count, desc, eq, getTableName, gt, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { orderItems, type orderStatus, orders, payments, restaurants } from "../../../db/schema";
import { notFound } from "../../kernel/app-error";
import { orderRelations, shapeOrder } from "./orders";

export type OrderStatus = (typeof orderStatus.enumValues)[number];

/** Filters shared by the listing and the export: status, and `[from, to)` on the creation time. */
export type OrderFilters = { status?: OrderStatus; from?: Date; to?: Date };

function filtersFor(restaurantId: number, filters: OrderFilters): SQL | undefined {
  return and(
    eq(orders.restaurantId, restaurantId),
    filters.status ? eq(orders.status, filters.status) : undefined,
    filters.from ? gte(orders.createdAt, filters.from) : undefined,
    filters.to ? lt(orders.createdAt, filters.to) : undefined,
  );
}

async function assertRestaurant(db: Database, restaurantId: number): Promise<void> {
  const found = await db.query.restaurants.findFirst({
    columns: { id: true },
    where: eq(restaurants.id, restaurantId),
  });
  if (!found) throw notFound("restaurant");
}

/**
 * A page of a restaurant's orders, newest first, each with its items,
 * payments and delivery: three queries (existence, page, total) whatever the
 * page size.
 */
export async function listRestaurantOrders(
  db: Database,
  restaurantId: number,
  filters: OrderFilters,
  page: number,
  pageSize: number,
) {
  await assertRestaurant(db, restaurantId);
  const where = filtersFor(restaurantId, filters);
  const rows = await db.query.orders.findMany({
    where,
    with: orderRelations,
    orderBy: [desc(orders.createdAt), desc(orders.id)],
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  const [total] = await db.select({ value: count() }).from(orders).where(where);
  return { data: rows.map(shapeOrder), page, pageSize, total: total?.value ?? 0 };
}

export const EXPORT_COLUMNS = [
  "id",
  "created_at",
  "branch_id",
  "customer_id",
  "status",
  "type",
  "subtotal_cents",
  "tax_cents",
  "delivery_fee_cents",
  "total_cents",
  "currency",
  "item_count",
  "paid_cents",
  "pos_sync_state",
  "pos_order_id",
] as const;

function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * `"table"."column"`, however the query renders columns. A single-table select prints its
 * columns bare, even inside `sql` fragments, so a correlated subquery's `${orders.id}` would
 * become `"id"` and bind to the inner table.
 */
function qualified(table: Parameters<typeof getTableName>[0], column: AnyColumn): SQL {
  return sql`${sql.identifier(getTableName(table))}.${sql.identifier(column.name)}`;
}

async function exportChunk(db: Database, where: SQL | undefined, afterId: number, size: number) {
  return db
    .select({
      id: orders.id,
      createdAt: orders.createdAt,
      branchId: orders.branchId,
      customerId: orders.customerId,
      status: orders.status,
      type: orders.type,
      subtotalCents: orders.subtotalCents,
      taxCents: orders.taxCents,
      deliveryFeeCents: orders.deliveryFeeCents,
      totalCents: orders.totalCents,
      currency: orders.currency,
      itemCount: sql<number>`(select coalesce(sum(${qualified(orderItems, orderItems.quantity)}), 0)::int from ${orderItems} where ${qualified(orderItems, orderItems.orderId)} = ${qualified(orders, orders.id)})`,
      paidCents:
        sql<number>`(select coalesce(sum(${qualified(payments, payments.amountCents)}), 0)::bigint from ${payments} where ${qualified(payments, payments.orderId)} = ${qualified(orders, orders.id)} and ${qualified(payments, payments.status)} = 'captured')`.mapWith(
          Number,
        ),
      posSyncState: orders.posSyncState,
      posOrderId: orders.posOrderId,
    })
    .from(orders)
    .where(and(where, gt(orders.id, afterId)))
    .orderBy(asc(orders.id))
    .limit(size);
}

/**
 * The restaurant's orders as CSV, oldest first, streamed a chunk at a time:
 * each chunk is one keyset query (`id > last id`), read only when the client
 * has taken the previous one, so memory stays flat however many orders there
 * are. Checks the restaurant exists before the first byte.
 */
export async function exportRestaurantOrders(
  db: Database,
  restaurantId: number,
  filters: OrderFilters,
  chunkSize = 500,
): Promise<ReadableStream<Uint8Array>> {
  await assertRestaurant(db, restaurantId);
  const where = filtersFor(restaurantId, filters);
  const encoder = new TextEncoder();
  let afterId = 0;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`${EXPORT_COLUMNS.join(",")}\n`));
      },
      async pull(controller) {
        const rows = await exportChunk(db, where, afterId, chunkSize);
        const lines = rows.map((r) =>
          [
            r.id,
            r.createdAt.toISOString(),
            r.branchId,
            r.customerId,
            r.status,
            r.type,
            r.subtotalCents,
            r.taxCents,
            r.deliveryFeeCents,
            r.totalCents,
            r.currency,
            r.itemCount,
            r.paidCents,
            r.posSyncState,
            r.posOrderId,
          ]
            .map(csvField)
            .join(","),
        );
        if (lines.length > 0) controller.enqueue(encoder.encode(`${lines.join("\n")}\n`));
        afterId = rows.at(-1)?.id ?? afterId;
        // A short chunk is the last one: no query just to learn there is nothing left.
        if (rows.length < chunkSize) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
