import { and, asc, count, eq, inArray, isNull, or } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  branches,
  loyaltyPrograms,
  loyaltyRules,
  menuCategories,
  menuItemBranchOverrides,
  menuItems,
  restaurants,
} from "../../../db/schema";
import { notFound, unprocessable } from "../../kernel/app-error";
import { publicRuleColumns } from "../loyalty/loyalty-rule-columns";
import { type RestaurantConfig, readRestaurantConfig } from "./restaurant-config";

const restaurantColumns = { id: true, name: true, slug: true, timezone: true, currency: true } as const;

/** Active restaurants, a page at a time (two queries: the page and the total). */
export async function listRestaurants(db: Database, page: number, pageSize: number) {
  const [rows, [total]] = await Promise.all([
    db.query.restaurants.findMany({
      columns: restaurantColumns,
      where: eq(restaurants.active, true),
      orderBy: asc(restaurants.id),
      limit: pageSize,
      offset: (page - 1) * pageSize,
    }),
    db.select({ value: count() }).from(restaurants).where(eq(restaurants.active, true)),
  ]);
  return { data: rows, page, pageSize, total: total?.value ?? 0 };
}

/** One active restaurant with its active branches, in one query. */
export async function getRestaurant(db: Database, id: number) {
  const restaurant = await db.query.restaurants.findFirst({
    columns: restaurantColumns,
    where: and(eq(restaurants.id, id), eq(restaurants.active, true)),
    with: {
      branches: {
        columns: { id: true, name: true, address: true },
        where: eq(branches.active, true),
        orderBy: asc(branches.id),
      },
    },
  });
  if (!restaurant) throw notFound("restaurant");
  return restaurant;
}

/**
 * Categories with their items (optionally one branch's view, where the branch's own availability
 * — staff 86'ing an item — wins over the POS's): two queries whatever the menu's size.
 */
export async function getMenu(db: Database, restaurantId: number, branchId?: number) {
  const restaurant = await getRestaurant(db, restaurantId);
  if (branchId !== undefined && !restaurant.branches.some((b) => b.id === branchId)) {
    throw unprocessable("invalid_branch", `branch ${branchId} does not belong to restaurant ${restaurantId}`);
  }
  const itemFilter =
    branchId === undefined ? undefined : or(isNull(menuItems.branchId), eq(menuItems.branchId, branchId));
  const rows = await db.query.menuCategories.findMany({
    columns: { id: true, name: true, position: true },
    where: eq(menuCategories.restaurantId, restaurantId),
    orderBy: [asc(menuCategories.position), asc(menuCategories.id)],
    with: {
      items: {
        columns: { id: true, name: true, description: true, priceCents: true, available: true, branchId: true },
        where: itemFilter,
        orderBy: asc(menuItems.id),
        with: {
          branchOverrides: {
            columns: { available: true },
            // No branch asked: no override applies (the whole menu is the POS's view).
            where: eq(menuItemBranchOverrides.branchId, branchId ?? 0),
          },
        },
      },
    },
  });
  const categories = rows.map((category) => ({
    ...category,
    items: category.items.map(({ branchOverrides, ...item }) => ({
      ...item,
      available: branchOverrides[0]?.available ?? item.available,
    })),
  }));
  return { restaurantId, branchId: branchId ?? null, currency: restaurant.currency, categories };
}

/** The restaurant's menu categories without their items, one query after the existence check. */
export async function getCategories(db: Database, restaurantId: number) {
  await getRestaurant(db, restaurantId);
  const categories = await db.query.menuCategories.findMany({
    columns: { id: true, name: true, position: true },
    where: eq(menuCategories.restaurantId, restaurantId),
    orderBy: [asc(menuCategories.position), asc(menuCategories.id)],
  });
  return { restaurantId, categories };
}

/** Active rules of the restaurant's active programs: what orders earn points by. */
export function activeLoyaltyRules(db: Pick<Database, "query" | "select">, restaurantId: number) {
  const activePrograms = db
    .select({ id: loyaltyPrograms.id })
    .from(loyaltyPrograms)
    .where(and(eq(loyaltyPrograms.restaurantId, restaurantId), eq(loyaltyPrograms.active, true)));
  return db.query.loyaltyRules.findMany({
    columns: publicRuleColumns,
    where: and(
      eq(loyaltyRules.restaurantId, restaurantId),
      eq(loyaltyRules.active, true),
      inArray(loyaltyRules.programId, activePrograms),
    ),
    orderBy: asc(loyaltyRules.id),
  });
}

/** The restaurant's active loyalty rules, one query after the existence check. */
export async function getLoyaltyRules(db: Database, restaurantId: number) {
  await getRestaurant(db, restaurantId);
  return { restaurantId, rules: await activeLoyaltyRules(db, restaurantId) };
}

async function findRestaurantRow(db: Database, restaurantId: number) {
  const row = await db.query.restaurants.findFirst({
    columns: { id: true, timezone: true, currency: true, config: true, updatedAt: true },
    where: eq(restaurants.id, restaurantId),
  });
  if (!row) throw notFound("restaurant");
  return row;
}

function shapeConfig(row: { id: number; timezone: string; currency: string; config: unknown; updatedAt: Date }) {
  return {
    restaurantId: row.id,
    timezone: row.timezone,
    currency: row.currency,
    config: readRestaurantConfig(row.config),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getRestaurantConfig(db: Database, restaurantId: number) {
  return shapeConfig(await findRestaurantRow(db, restaurantId));
}

/** Replaces the restaurant's config (already validated by the route). */
export async function updateRestaurantConfig(db: Database, restaurantId: number, config: RestaurantConfig) {
  const [row] = await db
    .update(restaurants)
    .set({ config, updatedAt: new Date() })
    .where(eq(restaurants.id, restaurantId))
    .returning({
      id: restaurants.id,
      timezone: restaurants.timezone,
      currency: restaurants.currency,
      config: restaurants.config,
      updatedAt: restaurants.updatedAt,
    });
  if (!row) throw notFound("restaurant");
  return shapeConfig(row);
}
