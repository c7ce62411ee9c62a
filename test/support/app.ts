import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { createServedApp } from "../../src/app";
import { issueToken } from "../../src/auth/tokens";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { type TestDatabase, testDatabase } from "./database";
import { deleteKeys, testRedis } from "./redis";
import { type RunningRuntime, startRuntime } from "./runtime";

let apps = 0;

/** The runtime the HTTP-level tests run the app on (TEST_RUNTIME): `bun` is in process. */
export const testRuntime = loadConfig().TEST_RUNTIME;
/**
 * For `it.skipIf(notInProcess)`: what only an in-process app allows, counting the queries an
 * endpoint issues or giving the app a broken Redis. README lists these tests.
 */
export const notInProcess = testRuntime !== "bun";

/**
 * The real app on a database and Redis prefix of this test file's own. `request()` goes to it in
 * process (`app.request()`), or with TEST_RUNTIME=workerd|deno to the same app served by that
 * runtime over the same database and Redis. `settings` are configuration for both.
 */
export async function createTestApp(options: { settings?: Record<string, string> } = {}) {
  apps += 1;
  const prefix = `t${process.pid}x${apps}`;
  const settings = options.settings ?? {};
  const config = loadConfig({ REDIS_PREFIX: prefix, LOG_LEVEL: "silent", ...settings });
  const database: TestDatabase = await testDatabase();
  const redis = await testRedis();
  const logger = createLogger("silent");
  // In process as `bun run start` serves it: the fast path for cached public reads, then the app.
  const { app, fetch: serve } = createServedApp({ config, db: database.db, redis, logger });
  const served: RunningRuntime | undefined =
    config.TEST_RUNTIME === "bun" ? undefined : await startRuntime(config.TEST_RUNTIME, { config, database }, settings);

  /** The app's answer to a request: in process, or over HTTP from the runtime under test. */
  function request(path: string, init?: RequestInit): Promise<Response> {
    if (!served) return Promise.resolve(serve(new Request(new URL(path, "http://localhost"), init)));
    return fetch(`${served.url}${path}`, { redirect: "manual", ...init });
  }

  async function tokenFor(email: string): Promise<string> {
    const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, email) });
    if (!user) throw new Error(`no demo user ${email}`);
    return issueToken(config, user.id);
  }

  /** `request` with JSON and an optional bearer token. */
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await request(path, {
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
    /** Which runtime answers `request()`; only in process can a test count the app's queries. */
    runtime: config.TEST_RUNTIME,
    /** The runtime's base URL when it is a server of its own. */
    baseUrl: served?.url,
    request,
    tokenFor,
    call,
    async close() {
      await served?.stop();
      await deleteKeys(redis, prefix);
      redis.close();
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
