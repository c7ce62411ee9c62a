import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { sql } from "drizzle-orm";
import { createTestApp, type TestApp } from "../support/app";

/**
 * Every documented route, fed input it must refuse: a path parameter of the
 * wrong kind, a body that is not JSON, a body of the wrong shape. Each must
 * answer a 4xx in the error format — never a 500 — and the database must be
 * unchanged afterwards.
 */
let t: TestApp;
let admin: string;
type Operation = { method: string; path: string; hasBody: boolean; hasParams: boolean };
let operations: Operation[] = [];

const fingerprintTables = [
  "orders",
  "order_items",
  "payments",
  "customers",
  "restaurants",
  "menu_items",
  "failed_jobs",
  "pos_connections",
];

async function fingerprint(): Promise<string> {
  const parts: string[] = [];
  for (const table of fingerprintTables) {
    const result = (await t.db.execute(
      sql.raw(`select count(*)::int as n, md5(string_agg(t::text, '' order by t::text)) as h from ${table} t`),
    )) as unknown as { rows: Array<{ n: number; h: string | null }> };
    parts.push(`${table}:${result.rows[0]?.n}:${result.rows[0]?.h}`);
  }
  return parts.join("|");
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.tokenFor("admin@demo.test");
  const doc = (await t.call("GET", "/openapi.json")).body as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string }>; requestBody?: unknown }>>;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        hasBody: op.requestBody !== undefined,
        hasParams: (op.parameters ?? []).some((p) => p.in === "path"),
      });
    }
  }
  operations = operations.filter((o) => o.hasBody || o.hasParams);
}, 120_000);
afterAll(() => t.close());

function headers(extra: Record<string, string> = {}) {
  return { authorization: `Bearer ${admin}`, "idempotency-key": "bad-input-check-1", ...extra };
}

async function expectRefused(res: Response, label: string) {
  const text = await res.text();
  expect(res.status, `${label} answered ${res.status}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label} answered ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, label).toBe("string");
  expect(typeof body.error?.message, label).toBe("string");
}

describe("bad input on every route", () => {
  it("finds the documented routes that take input, and a fingerprint that sees writes", async () => {
    expect(operations.length).toBeGreaterThan(15);
    const before = await fingerprint();
    await t.db.execute(sql`update restaurants set name = name || '!' where id = 4`);
    expect(await fingerprint()).not.toBe(before);
  });

  it("refuses path parameters of the wrong kind with a 4xx and changes nothing", async () => {
    const before = await fingerprint();
    for (const op of operations.filter((o) => o.hasParams)) {
      const path = op.path.replace(/\{[^}]+\}/g, "not-a-valid-id!");
      const res = await t.request(path, {
        method: op.method,
        headers: headers({ "content-type": "application/json" }),
        body: op.method === "GET" || op.method === "DELETE" ? undefined : "{}",
      });
      await expectRefused(res, `${op.method} ${path}`);
    }
    expect(await fingerprint()).toBe(before);
  });

  it("refuses ids too big for the database with a 4xx and changes nothing", async () => {
    const before = await fingerprint();
    const huge = "3000000000";
    for (const op of operations.filter((o) => o.hasParams && /\{(id|restaurantId)\}/.test(o.path))) {
      const path = op.path.replace("{posType}", "local").replace(/\{[^}]+\}/g, huge);
      const res = await t.request(path, {
        method: op.method,
        headers: headers({ "content-type": "application/json" }),
        body: op.method === "GET" || op.method === "DELETE" ? undefined : "{}",
      });
      await expectRefused(res, `${op.method} ${path}`);
    }
    const customer = await t.tokenFor("customer@demo.test");
    const order = await t.request("/v1/orders", {
      method: "POST",
      headers: {
        authorization: `Bearer ${customer}`,
        "content-type": "application/json",
        "idempotency-key": "huge-ids-1",
      },
      body: JSON.stringify({
        restaurantId: 3_000_000_000,
        branchId: 1,
        type: "pickup",
        items: [{ menuItemId: 3_000_000_000, quantity: 1 }],
      }),
    });
    await expectRefused(order, "POST /v1/orders with huge ids");
    expect(await fingerprint()).toBe(before);
  });

  it("refuses bodies that are not JSON, or of the wrong shape, with a 4xx and changes nothing", async () => {
    const before = await fingerprint();
    for (const op of operations.filter((o) => o.hasBody)) {
      const path = op.path.replace("{posType}", "local").replace(/\{[^}]+\}/g, "1");
      for (const body of ["{not json", JSON.stringify({ unexpected: ["shape"], restaurantId: "x" }), "[]"]) {
        const res = await t.request(path, {
          method: op.method,
          headers: headers({ "content-type": "application/json" }),
          body,
        });
        await expectRefused(res, `${op.method} ${path} with ${body}`);
      }
    }
    expect(await fingerprint()).toBe(before);
  });
});
