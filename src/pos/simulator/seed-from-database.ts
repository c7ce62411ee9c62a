import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { branches, inventoryLevels, menuCategories, menuItems, posConnections } from "../../../db/schema";
import type { SimulatorSeed } from "./control";

/**
 * What each demo POS should already know: our menu (by POS ids) and the main
 * branch's stock, keyed by the tenant the vendor uses (Square: the access
 * token for the catalog and the location for stock; Toast: the restaurant
 * GUID; local: the store id). Lets the dev command and tests start a
 * simulator that agrees with the database.
 */
export async function simulatorSeedFromDatabase(db: Database): Promise<SimulatorSeed[]> {
  const connections = await db
    .select({
      restaurantId: posConnections.restaurantId,
      posType: posConnections.posType,
      locationRef: posConnections.locationRef,
      credentials: posConnections.credentials,
    })
    .from(posConnections)
    .where(eq(posConnections.status, "active"));
  const seeds: SimulatorSeed[] = [];
  for (const connection of connections) {
    const categories = await db
      .select({
        id: menuCategories.id,
        name: menuCategories.name,
        position: menuCategories.position,
        posId: menuCategories.posExternalId,
      })
      .from(menuCategories)
      .where(and(eq(menuCategories.restaurantId, connection.restaurantId), isNotNull(menuCategories.posExternalId)))
      .orderBy(asc(menuCategories.position));
    const items = await db
      .select({
        id: menuItems.id,
        name: menuItems.name,
        description: menuItems.description,
        priceCents: menuItems.priceCents,
        available: menuItems.available,
        posId: menuItems.posExternalId,
        categoryId: menuItems.categoryId,
      })
      .from(menuItems)
      .where(and(eq(menuItems.restaurantId, connection.restaurantId), isNotNull(menuItems.posExternalId)));
    const categoryPosId = new Map(categories.map((c) => [c.id, c.posId!]));
    const [mainBranch] = await db
      .select({ id: branches.id })
      .from(branches)
      .where(eq(branches.restaurantId, connection.restaurantId))
      .orderBy(asc(branches.id))
      .limit(1);
    const stock = mainBranch
      ? await db
          .select({ itemId: inventoryLevels.menuItemId, quantity: inventoryLevels.quantity })
          .from(inventoryLevels)
          .where(eq(inventoryLevels.branchId, mainBranch.id))
      : [];
    const itemPosId = new Map(items.map((i) => [i.id, i.posId!]));
    const catalog = {
      categories: categories.map((c) => ({ name: c.name, position: c.position, posExternalId: c.posId! })),
      items: items.flatMap((i) => {
        const categoryPosExternalId = categoryPosId.get(i.categoryId);
        return categoryPosExternalId
          ? [
              {
                name: i.name,
                description: i.description,
                priceCents: i.priceCents,
                available: i.available,
                posExternalId: i.posId!,
                categoryPosExternalId,
              },
            ]
          : [];
      }),
    };
    const inventory = stock.flatMap((s) => {
      const posItemId = itemPosId.get(s.itemId);
      return posItemId ? [{ posItemId, quantity: s.quantity }] : [];
    });
    if (connection.posType === "square") {
      seeds.push({ vendor: "square", tenant: connection.credentials.accessToken ?? "", catalog });
      seeds.push({ vendor: "square", tenant: connection.locationRef, inventory });
    } else {
      seeds.push({ vendor: connection.posType, tenant: connection.locationRef, catalog, inventory });
    }
  }
  return seeds;
}
