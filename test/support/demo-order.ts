/** Client-side steps the dev-command and edge tests share: they speak HTTP to a running API. */

type Menu = { categories: Array<{ items: Array<{ id: number; available: boolean; branchId: number | null }> }> };

/** Places a pickup order of restaurant 1's first available all-branch item, as a client app would. */
export async function placeDemoOrder(api: string, token: string, quantity: number, idempotencyKey: string) {
  const menu = (await (await fetch(`${api}/v1/restaurants/1/menu`)).json()) as Menu;
  const item = menu.categories.flatMap((c) => c.items).find((i) => i.available && i.branchId === null)!;
  const restaurant = (await (await fetch(`${api}/v1/restaurants/1`)).json()) as { branches: Array<{ id: number }> };
  return fetch(`${api}/v1/orders`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": idempotencyKey,
    },
    body: JSON.stringify({
      restaurantId: 1,
      branchId: restaurant.branches[0]!.id,
      type: "pickup",
      items: [{ menuItemId: item.id, quantity }],
    }),
  });
}

/** Polls the order every 100 ms until its POS sync state is `synced` or `tries` polls have passed. */
export async function waitForSynced(api: string, token: string, orderId: number, tries: number): Promise<string> {
  let state = "";
  for (let i = 0; i < tries && state !== "synced"; i++) {
    await Bun.sleep(100);
    const res = await fetch(`${api}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
    state = ((await res.json()) as { posSyncState: string }).posSyncState;
  }
  return state;
}
