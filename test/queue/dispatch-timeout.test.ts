import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { menuItems, orders, users } from "../../db/schema";
import { createApp } from "../../src/app";
import { issueToken } from "../../src/auth/tokens";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { DispatchTimeoutError, QueueUnavailableError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { Queue } from "../../src/queue/queue";
import { type LocalRedis, startLocalRedis } from "../../src/redis/local-server";
import { connectTcpRedis, type TcpRedis } from "../../src/redis/tcp";
import { createAppServices } from "../../src/services/app-services";
import { type TestDatabase, testDatabase } from "../support/database";

const job = defineJob({
  name: "Noop",
  queue: "default",
  tries: 1,
  backoff: [],
  timeout: 5,
  payload: z.object({ n: z.number() }),
  handle() {},
});

let redis: LocalRedis;
let connection: TcpRedis;

beforeAll(async () => {
  redis = await startLocalRedis();
  connection = await connectTcpRedis(redis.url);
});
afterAll(async () => {
  connection.close();
  await redis.stop();
});

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await run();
    return { error: null, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe("dispatch while Redis is stopped (SIGSTOP)", () => {
  it("rejects with DispatchTimeoutError after the timeout, and works again once Redis answers", async () => {
    const queue = new Queue({ redis: connection, prefix: `dt${process.pid}` });
    expect(await queue.dispatch(job, { n: 0 })).toBeString();
    redis.signal("SIGSTOP");
    try {
      const byDefault = await timed(() => queue.dispatch(job, { n: 1 }));
      expect(byDefault.error).toBeInstanceOf(DispatchTimeoutError);
      expect(byDefault.error).toBeInstanceOf(QueueUnavailableError);
      expect(byDefault.ms).toBeGreaterThanOrEqual(1_900);
      expect(byDefault.ms).toBeLessThan(3_000);
      const short = await timed(() => queue.dispatchMany(job, [{ n: 2 }, { n: 3 }], { timeoutMs: 200 }));
      expect(short.error).toBeInstanceOf(DispatchTimeoutError);
      expect((short.error as DispatchTimeoutError).timeoutMs).toBe(200);
      expect(short.ms).toBeLessThan(1_000);
    } finally {
      redis.signal("SIGCONT");
    }
    expect(await queue.dispatch(job, { n: 4 })).toBeString();
  }, 15_000);
});

describe("the API while Redis is stopped", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await testDatabase();
  }, 120_000);
  afterAll(() => database.close());

  it("accepts an order (the outbox keeps it pending) and answers 503 queue_unavailable where it must queue", async () => {
    const prefix = `dtapi${process.pid}`;
    const config = loadConfig({ REDIS_PREFIX: prefix, LOG_LEVEL: "silent" });
    const logger = createLogger("silent");
    const app = createApp({ config, db: database.db, redis: connection, logger });
    const tokenFor = async (email: string) => {
      const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
      return issueToken(config, user!.id);
    };
    const [customer, admin] = [await tokenFor("customer@demo.test"), await tokenFor("admin@demo.test")];
    const restaurant = await (await app.request("/v1/restaurants/1")).json();
    const [item] = await database.db
      .select({ id: menuItems.id })
      .from(menuItems)
      .where(and(eq(menuItems.restaurantId, 1), eq(menuItems.available, true), isNull(menuItems.branchId)))
      .limit(1);

    redis.signal("SIGSTOP");
    let orderId: number;
    try {
      const placed = await timed(async () => {
        const res = await app.request("/v1/orders", {
          method: "POST",
          headers: {
            authorization: `Bearer ${customer}`,
            "content-type": "application/json",
            "idempotency-key": `dt-${Date.now()}`,
          },
          body: JSON.stringify({
            restaurantId: 1,
            branchId: restaurant.branches[0].id,
            type: "pickup",
            items: [{ menuItemId: item!.id, quantity: 1 }],
          }),
        });
        expect(res.status).toBe(201);
        orderId = (await res.json()).id;
      });
      expect(placed.error).toBeNull();
      expect(placed.ms).toBeLessThan(3_000);
      const [row] = await database.db
        .select({ state: orders.posSyncState })
        .from(orders)
        .where(eq(orders.id, orderId!));
      expect(row?.state).toBe("pending");

      const sync = await timed(async () => {
        const res = await app.request("/v1/restaurants/1/pos/sync-menu", {
          method: "POST",
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(res.status).toBe(503);
        expect((await res.json()).error.code).toBe("queue_unavailable");
      });
      expect(sync.error).toBeNull();
      expect(sync.ms).toBeLessThan(3_000);
    } finally {
      redis.signal("SIGCONT");
    }

    // Redis answers again: the sweeper hands the kept order over.
    const { posDispatch } = createAppServices({ config, db: database.db, redis: connection, logger });
    await posDispatch.sweep(Date.now() + 60_000);
    const [after] = await database.db
      .select({ state: orders.posSyncState })
      .from(orders)
      .where(eq(orders.id, orderId!));
    expect(after?.state).toBe("queued");
  }, 30_000);
});
