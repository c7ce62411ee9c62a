import type { deliveries, orderItems, orders, payments } from "../schema";
import type { MenuWorld, SellableItem } from "./menu-rows";
import { ORDER_NOTES } from "./people";
import type { SeededRandom } from "./random";
import type { RestaurantPlan } from "./restaurant-plans";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Sunday first, as `Date#getUTCDay` counts: weekends are busier. */
const WEEKDAY_FACTOR = [1.05, 0.85, 0.9, 0.95, 1.0, 1.2, 1.25] as const;

export type OrderHistory = {
  orders: (typeof orders.$inferInsert)[];
  items: (typeof orderItems.$inferInsert)[];
  payments: (typeof payments.$inferInsert)[];
  deliveries: (typeof deliveries.$inferInsert)[];
};

type HistoryInput = {
  plans: readonly RestaurantPlan[];
  world: MenuWorld;
  /** In sign-up order. */
  customers: readonly { id: number; createdAt: Date }[];
  historyStart: Date;
  now: Date;
};

type Slot = { plan: RestaurantPlan; createdAt: Date };

const minutesAfter = (date: Date, minutes: number) => new Date(date.getTime() + minutes * MINUTE_MS);

/** When orders arrive: a lunch and a dinner rush in the restaurant's local time, a trickle otherwise. */
function orderTimes(input: HistoryInput, rng: SeededRandom): Slot[] {
  const slots: Slot[] = [];
  const today = Date.UTC(input.now.getUTCFullYear(), input.now.getUTCMonth(), input.now.getUTCDate());
  const days = Math.ceil((input.now.getTime() - input.historyStart.getTime()) / DAY_MS);
  for (let day = days; day >= 0; day -= 1) {
    const midnight = today - day * DAY_MS;
    const factor = WEEKDAY_FACTOR[new Date(midnight).getUTCDay()] ?? 1;
    for (const plan of input.plans) {
      const count = Math.round(plan.ordersPerDay * factor * (0.9 + 0.2 * rng.next()));
      for (let n = 0; n < count; n += 1) {
        const hour = rng.weighted([
          [rng.int(11, 13), 0.45],
          [rng.int(17, 20), 0.45],
          [rng.int(9, 21), 0.1],
        ]);
        const localSeconds = hour * 3600 + rng.int(0, 3599);
        const createdAt = new Date(midnight + (localSeconds - plan.utcOffsetHours * 3600) * 1000);
        if (createdAt >= input.historyStart && createdAt < input.now) slots.push({ plan, createdAt });
      }
    }
  }
  // Stable sort: ids then follow time, and ties keep their generation order.
  return slots.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

function posOrderId(restaurantId: number, orderId: number, rng: SeededRandom): string {
  if (restaurantId === 1) return `sq_ord_${rng.hex(16).toUpperCase()}`;
  if (restaurantId === 2) return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-b${rng.hex(3)}-${rng.hex(12)}`;
  return `L${restaurantId}-${String(orderId).padStart(7, "0")}`;
}

function pickLines(menu: readonly SellableItem[], rng: SeededRandom): Map<SellableItem, number> {
  const lineCount = Math.min(
    menu.length,
    rng.weighted([
      [1, 25],
      [2, 35],
      [3, 25],
      [4, 10],
      [5, 5],
    ]),
  );
  const lines = new Map<SellableItem, number>();
  while (lines.size < lineCount) {
    const quantity = rng.weighted([
      [1, 75],
      [2, 20],
      [3, 5],
    ]);
    lines.set(rng.pick(menu), quantity);
  }
  return lines;
}

/**
 * Historical orders: all already synced to the POS, about 5% cancelled, the rest completed with a
 * captured payment; delivery orders get a delivery row, some of them late. Customers are drawn
 * from those signed up by then, favouring early sign-ups (regulars) while newcomers place their
 * first orders soon after joining.
 */
export function buildOrderHistory(input: HistoryInput, rng: SeededRandom): OrderHistory {
  const history: OrderHistory = { orders: [], items: [], payments: [], deliveries: [] };
  const menus = new Map<number, SellableItem[]>();
  for (const [restaurantId, items] of input.world.sellable) {
    for (const branchId of input.world.branchIds.get(restaurantId) ?? []) {
      menus.set(
        branchId,
        items.filter((item) => item.branchId === null || item.branchId === branchId),
      );
    }
  }
  let signedUp = 0;
  for (const { plan, createdAt } of orderTimes(input, rng)) {
    const id = history.orders.length + 1;
    while (signedUp < input.customers.length && (input.customers[signedUp]?.createdAt ?? createdAt) <= createdAt) {
      signedUp += 1;
    }
    const customerIndex = rng.chance(0.2)
      ? signedUp - 1 - rng.int(0, Math.min(14, signedUp - 1))
      : Math.floor(signedUp * rng.next() ** 1.6);
    const customer = input.customers[customerIndex];
    const branchIds = input.world.branchIds.get(plan.id) ?? [];
    const branchId = rng.chance(0.45) ? branchIds[0] : rng.pick(branchIds);
    const menu = branchId === undefined ? undefined : menus.get(branchId);
    if (!customer || branchId === undefined || !menu) throw new Error(`no customer or menu for order ${id}`);

    let subtotalCents = 0;
    for (const [item, quantity] of pickLines(menu, rng)) {
      const totalCents = quantity * item.priceCents;
      subtotalCents += totalCents;
      history.items.push({
        id: history.items.length + 1,
        orderId: id,
        menuItemId: item.id,
        name: item.name,
        quantity,
        unitPriceCents: item.priceCents,
        totalCents,
      });
    }
    const type = rng.chance(plan.deliveryShare) ? "delivery" : "pickup";
    const cancelled = rng.chance(0.05);
    const taxCents = Math.round((subtotalCents * plan.taxRateBps) / 10_000);
    const deliveryFeeCents = type === "delivery" ? plan.deliveryFeeCents : 0;
    const totalCents = subtotalCents + taxCents + deliveryFeeCents;
    let finishedAt = minutesAfter(createdAt, cancelled ? rng.int(2, 10) : rng.int(15, 35));

    if (type === "delivery") {
      const estimatedMinutes = rng.int(5, 9) * 5;
      const dispatchedAt = cancelled ? null : minutesAfter(createdAt, rng.int(10, 20));
      const actualMinutes = rng.chance(0.15) ? estimatedMinutes + rng.int(5, 25) : estimatedMinutes - rng.int(0, 10);
      const deliveredAt = dispatchedAt && minutesAfter(createdAt, Math.max(actualMinutes, rng.int(21, 25)));
      if (deliveredAt) finishedAt = deliveredAt;
      history.deliveries.push({
        id: history.deliveries.length + 1,
        orderId: id,
        estimatedMinutes,
        dispatchedAt,
        deliveredAt,
        createdAt,
      });
    }
    const posSyncedAt = new Date(createdAt.getTime() + rng.int(1, 20) * 1000);
    history.orders.push({
      id,
      restaurantId: plan.id,
      branchId,
      customerId: customer.id,
      status: cancelled ? "cancelled" : "completed",
      type,
      subtotalCents,
      taxCents,
      deliveryFeeCents,
      totalCents,
      currency: "USD",
      notes: rng.chance(0.12) ? rng.pick(ORDER_NOTES) : null,
      posSyncState: "synced",
      posOrderId: posOrderId(plan.id, id, rng),
      posSyncedAt,
      createdAt,
      updatedAt: finishedAt,
    });
    if (!cancelled) {
      history.payments.push({
        id: history.payments.length + 1,
        orderId: id,
        restaurantId: plan.id,
        status: "captured",
        amountCents: totalCents,
        method: rng.weighted([
          ["card", 75],
          ["wallet", 15],
          ["cash", 10],
        ]),
        posSyncState: "synced",
        posPaymentId: `pay_${rng.hex(16)}`,
        posSyncedAt: new Date(posSyncedAt.getTime() + 2000),
        createdAt: new Date(createdAt.getTime() + 30_000),
      });
    }
  }
  return history;
}
