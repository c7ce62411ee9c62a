import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { restaurantMembers, users } from "../../db/schema";
import { DEMO_USER_IDS } from "../../db/seed";
import { createApp } from "../../src/app";
import { invalidatePrincipals } from "../../src/auth/principal-cache";
import { issueToken } from "../../src/auth/tokens";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import type { RedisConnection } from "../../src/redis/types";
import { type TestDatabase, testDatabase } from "../support/database";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

// Two API instances on one database and one Redis, each with its own connection and caches.
let database: TestDatabase;
let redisA: RedisConnection;
let redisB: RedisConnection;
let prefix: string;
let config: ReturnType<typeof loadConfig>;
let apps: [ReturnType<typeof createApp>, ReturnType<typeof createApp>];

beforeAll(async () => {
  prefix = uniquePrefix("principals");
  config = loadConfig({ REDIS_PREFIX: prefix, LOG_LEVEL: "silent" });
  database = await testDatabase();
  redisA = await testRedis();
  redisB = await testRedis();
  const logger = createLogger("silent");
  apps = [
    createApp({ config, db: database.db, redis: redisA, logger }),
    createApp({ config, db: database.db, redis: redisB, logger }),
  ];
}, 120_000);
afterAll(async () => {
  await deleteKeys(redisA, prefix);
  redisA.close();
  redisB.close();
  await database.close();
});

const userQueries = () => database.queries.filter((q) => q.includes('from "users"')).length;

async function statusOf(app: ReturnType<typeof createApp>, path: string, token: string): Promise<number> {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** Polls until `path` answers `status` on `app`; how long that took, in ms. */
async function msUntil(app: ReturnType<typeof createApp>, path: string, token: string, status: number) {
  const started = performance.now();
  while (performance.now() - started < 5000) {
    if ((await statusOf(app, path, token)) === status) return performance.now() - started;
    await Bun.sleep(10);
  }
  throw new Error(`${path} did not answer ${status} within 5 s`);
}

describe("principal cache", () => {
  it("serves repeated authenticated reads without looking the user up again", async () => {
    const token = await issueToken(config, DEMO_USER_IDS.manager);
    const initial = userQueries();
    expect(await statusOf(apps[0], "/v1/me", token)).toBe(200);
    const before = userQueries();
    expect(before).toBe(initial + 1);
    for (let i = 0; i < 20; i += 1) expect(await statusOf(apps[0], "/v1/me", token)).toBe(200);
    expect(userQueries()).toBe(before);
  });

  it("stops honouring a removed role on the other instance within a second of the change", async () => {
    const userId = DEMO_USER_IDS.owner2;
    const token = await issueToken(config, userId);
    const [membership] = await database.db
      .select({ restaurantId: restaurantMembers.restaurantId })
      .from(restaurantMembers)
      .where(eq(restaurantMembers.userId, userId));
    if (!membership) throw new Error("the demo owner2 has no restaurant");
    const path = `/v1/restaurants/${membership.restaurantId}/config`;
    // Both instances have the principal cached.
    for (const app of apps) expect(await statusOf(app, path, token)).toBe(200);

    await database.db
      .delete(restaurantMembers)
      .where(and(eq(restaurantMembers.userId, userId), eq(restaurantMembers.restaurantId, membership.restaurantId)));
    // The cache is what answers: without the announcement the old role still works on both.
    for (const app of apps) expect(await statusOf(app, path, token)).toBe(200);

    await invalidatePrincipals(redisA, prefix);
    // Each instance looks at the version at most every 250 ms: both stop within a second of it.
    const [onB, onA] = await Promise.all([msUntil(apps[1], path, token, 404), msUntil(apps[0], path, token, 404)]);
    expect(onB).toBeLessThan(1000);
    expect(onA).toBeLessThan(1000);
    // And stay stopped.
    for (const app of apps) expect(await statusOf(app, path, token)).toBe(404);
  });

  it("sees a user's changed admin flag on every instance after the announcement", async () => {
    const token = await issueToken(config, DEMO_USER_IDS.customer);
    for (const app of apps) expect(await statusOf(app, "/v1/restaurants/1/config", token)).toBe(404);
    await database.db.update(users).set({ isAdmin: true }).where(eq(users.id, DEMO_USER_IDS.customer));
    await invalidatePrincipals(redisB, prefix);
    expect(await msUntil(apps[0], "/v1/restaurants/1/config", token, 200)).toBeLessThan(1000);
    expect(await msUntil(apps[1], "/v1/restaurants/1/config", token, 200)).toBeLessThan(1000);
  });

  it("answers 401 for a deleted user once announced, though the token is still cached as valid", async () => {
    const [created] = await database.db
      .insert(users)
      .values({ email: "leaver@demo.test", name: "Leaver" })
      .returning({ id: users.id });
    const token = await issueToken(config, created!.id);
    expect(await statusOf(apps[1], "/v1/me", token)).toBe(200);
    await database.db.delete(users).where(eq(users.id, created!.id));
    await invalidatePrincipals(redisA, prefix);
    expect(await msUntil(apps[1], "/v1/me", token, 401)).toBeLessThan(1000);
  });

  it("rejects a cached token once its exp has passed", async () => {
    // exp is in whole seconds: a 2 s token lives between 1 and 2 s, long enough to be cached first.
    const token = await issueToken(config, DEMO_USER_IDS.staff, 2);
    expect(await statusOf(apps[0], "/v1/me", token)).toBe(200);
    const elapsed = await msUntil(apps[0], "/v1/me", token, 401);
    expect(elapsed).toBeLessThan(3000);
  });

  it("rejects a tampered token even after the genuine one was cached", async () => {
    const token = await issueToken(config, DEMO_USER_IDS.staff);
    expect(await statusOf(apps[0], "/v1/me", token)).toBe(200);
    const [header, payload] = token.split(".");
    expect(await statusOf(apps[0], "/v1/me", `${header}.${payload}.AAAA`)).toBe(401);
  });

  it("keeps nothing while Redis cannot confirm the version: every request looks the user up", async () => {
    const unreachable = await testRedis();
    unreachable.close();
    const app = createApp({ config, db: database.db, redis: unreachable, logger: createLogger("silent") });
    const token = await issueToken(config, DEMO_USER_IDS.manager);
    const before = userQueries();
    for (let i = 0; i < 3; i += 1) expect(await statusOf(app, "/v1/me", token)).toBe(200);
    expect(userQueries()).toBe(before + 3);
  });

  it("keeps nothing and asks Redis nothing in an app built for one request (Workers)", async () => {
    const sent: string[] = [];
    const counting: RedisConnection = {
      kind: redisA.kind,
      send(command, args) {
        sent.push(command);
        return redisA.send(command, args);
      },
      pipeline(commands) {
        sent.push(...commands.map(([command]) => command));
        return redisA.pipeline(commands);
      },
      duplicate: () => redisA.duplicate(),
      close() {},
    };
    const token = await issueToken(config, DEMO_USER_IDS.manager);
    const before = userQueries();
    for (let i = 0; i < 3; i += 1) {
      const app = createApp({
        config,
        db: database.db,
        redis: counting,
        logger: createLogger("silent"),
        perRequest: true,
      });
      expect(await statusOf(app, "/v1/me", token)).toBe(200);
    }
    expect(userQueries()).toBe(before + 3);
    expect(sent).toEqual([]);
    // The same app kept across requests does look at the version key.
    const kept = createApp({ config, db: database.db, redis: counting, logger: createLogger("silent") });
    expect(await statusOf(kept, "/v1/me", token)).toBe(200);
    expect(sent).toContain("GET");
  });
});
