import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.tokenFor("admin@demo.test");
}, 120_000);
afterAll(() => t.close());

describe("routing", () => {
  it("routes every request with Hono's RegExpRouter: no two routes clash", async () => {
    // The router is chosen at the first request: the in-process app's, whichever runtime
    // answers `t.call` (the app's code, hence its routes, is the same on every runtime).
    expect((await t.app.request("/healthz")).status).toBe(200);
    expect(t.app.router.name).toBe("SmartRouter + RegExpRouter");
  });

  it("pauses and resumes a queue on the documented paths and on the old ones", async () => {
    for (const [pause, resume] of [
      ["/v1/admin/queues/pause/default", "/v1/admin/queues/resume/default"],
      ["/v1/admin/queues/default/pause", "/v1/admin/queues/default/resume"],
    ] as const) {
      const paused = await t.call("POST", pause, { token: admin });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ queue: "default", paused: true });
      const resumed = await t.call("POST", resume, { token: admin });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ queue: "default", paused: false });
    }
    expect((await t.call("POST", "/v1/admin/queues/failed/pause", { token: admin })).status).toBe(404);
  });

  it("retries failed jobs in bulk on the documented path and on the old one, trailing slash or not", async () => {
    for (const path of [
      "/v1/admin/queues/retry-failed",
      "/v1/admin/queues/failed/retry",
      "/v1/admin/queues/failed/retry/",
    ]) {
      const res = await t.call("POST", path, { token: admin, body: {} });
      expect(res.status).toBe(200);
      expect(typeof res.body.retried).toBe("number");
    }
  });
});
