import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_USERS } from "../../db/seed";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.tokenFor(DEMO_USERS.admin);
}, 120_000);
afterAll(() => t.close());

/** RFC 4180 fields of one CSV line (quotes doubled inside quoted fields). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

type ListedOrder = {
  id: number;
  createdAt: string;
  branchId: number;
  customerId: number | null;
  status: string;
  type: string;
  subtotalCents: number;
  taxCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  currency: string;
  posSyncState: string;
  posOrderId: string | null;
  items: Array<{ quantity: number }>;
  payments: Array<{ status: string; amountCents: number }>;
};

/** What the export must say about an order, computed from the JSON listing. */
function expectedRow(o: ListedOrder): Record<string, string> {
  const text = (v: string | number | null) => (v === null ? "" : String(v));
  return {
    id: text(o.id),
    created_at: o.createdAt,
    branch_id: text(o.branchId),
    customer_id: text(o.customerId),
    status: o.status,
    type: o.type,
    subtotal_cents: text(o.subtotalCents),
    tax_cents: text(o.taxCents),
    delivery_fee_cents: text(o.deliveryFeeCents),
    total_cents: text(o.totalCents),
    currency: o.currency,
    item_count: text(o.items.reduce((sum, i) => sum + i.quantity, 0)),
    paid_cents: text(o.payments.filter((p) => p.status === "captured").reduce((sum, p) => sum + p.amountCents, 0)),
    pos_sync_state: o.posSyncState,
    pos_order_id: text(o.posOrderId),
  };
}

async function exportedRows(restaurantId: number): Promise<Map<number, Record<string, string>>> {
  const res = await t.app.request(`/v1/restaurants/${restaurantId}/orders/export`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  expect(res.status).toBe(200);
  const [header, ...lines] = (await res.text()).trimEnd().split("\n");
  const columns = csvFields(header!);
  const rows = new Map<number, Record<string, string>>();
  for (const line of lines) {
    const fields = csvFields(line);
    expect(fields).toHaveLength(columns.length);
    rows.set(Number(fields[0]), Object.fromEntries(columns.map((c, i) => [c, fields[i]!])));
  }
  return rows;
}

describe("the CSV export agrees with the JSON listing", () => {
  for (const restaurantId of [1, 2]) {
    it(`says the same as the listing about every column of restaurant ${restaurantId}'s newest orders`, async () => {
      const listing = await t.call("GET", `/v1/restaurants/${restaurantId}/orders?pageSize=100`, { token: admin });
      expect(listing.status).toBe(200);
      const listed = listing.body.data as ListedOrder[];
      expect(listed.length).toBeGreaterThan(10);
      const exported = await exportedRows(restaurantId);
      expect(exported.size).toBe(listing.body.total);
      for (const order of listed) expect(exported.get(order.id)).toEqual(expectedRow(order));
      // The figures differ from order to order: no constant leaks into every row.
      const itemCounts = new Set(listed.map((o) => exported.get(o.id)!.item_count));
      const paid = new Set(listed.map((o) => exported.get(o.id)!.paid_cents));
      expect(itemCounts.size).toBeGreaterThan(1);
      expect(paid.size).toBeGreaterThan(1);
    });
  }
});
