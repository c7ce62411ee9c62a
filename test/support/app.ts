import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { createApp } from "../../src/app";
import { issueToken } from "../../src/auth/tokens";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { type TestDatabase, testDatabase } from "./database";
import { deleteKeys, testRedis } from "./redis";

let apps = 0;

/** The real app on a database and Redis prefix of this test file's own. */
export async function createTestApp() {
  apps += 1;
  const prefix = `t${process.pid}x${apps}`;
  const config = loadConfig({ REDIS_PREFIX: prefix, LOG_LEVEL: "silent" });
  const database: TestDatabase = await testDatabase();
  const redis = await testRedis();
  const logger = createLogger("silent");
  const app = createApp({ config, db: database.db, redis, logger });

  async function tokenFor(email: string): Promise<string> {
    const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
    if (!user) throw new Error(`no demo user ${email}`);
    return issueToken(config.JWT_SECRET, user.id);
  }

  /** `app.request` with JSON and an optional bearer token. */
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await app.request(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  return {
    app,
    config,
    db: database.db,
    database,
    redis,
    tokenFor,
    call,
    async close() {
      await deleteKeys(redis, prefix);
      redis.close();
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
