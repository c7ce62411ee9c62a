import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { hostname } from "node:os";
import { opaqueWorkerId } from "../../src/services/monitoring/job-views";
import { createTestApp, type TestApp } from "../support/app";
import { type MonitoringWorld, monitoringWorld, waitUntil } from "../support/monitoring-world";

let t: TestApp;
let world: MonitoringWorld;
let admin: string;
let owner: string;
let owner2: string;
const failed: Record<number, string[]> = { 1: [], 2: [] };
const held: Record<number, string> = {};

type QueueRow = { queue: string; waiting: number; inFlight: number; delayed: number; failed: number } & Record<
  string,
  unknown
>;
type Operation = {
  security?: unknown;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> } | undefined>;
};
const byQueue = (body: { queues: QueueRow[] }) => Object.fromEntries(body.queues.map((q) => [q.queue, q]));

beforeAll(async () => {
  t = await createTestApp();
  world = await monitoringWorld(t);
  admin = await t.tokenFor("admin@demo.test");
  owner = await t.tokenFor("owner@demo.test");
  owner2 = await t.tokenFor("owner2@demo.test");
  // Restaurant 1: 2 waiting, 1 delayed, 1 failed, 1 in flight. Restaurant 2: 3, 2, 2, 1.
  for (const [restaurantId, waiting, delayed, failures] of [
    [1, 2, 1, 1],
    [2, 3, 2, 2],
  ] as const) {
    for (let i = 0; i < waiting; i++) await world.waitingJob(restaurantId, restaurantId * 100 + i);
    for (let i = 0; i < delayed; i++) await world.delayedJob(restaurantId, restaurantId * 100 + i);
    for (let i = 0; i < failures; i++) failed[restaurantId]!.push(await world.failedJob(restaurantId));
    held[restaurantId] = await world.heldJob(restaurantId);
  }
  // The worker flushes its metrics every 50 ms.
  await waitUntil(async () => {
    const res = await t.call("GET", "/v1/admin/queues", { token: admin });
    return byQueue(res.body).low?.failedLastHour === 3;
  });
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await t?.close();
});

describe("queue monitoring for owners and admins", () => {
  it("counts only the owner's restaurants for an owner, everything for an admin", async () => {
    const mine = await t.call("GET", "/v1/admin/queues", { token: owner });
    expect(mine.status).toBe(200);
    expect(mine.body.scope).toEqual([1]);
    const own = byQueue(mine.body);
    expect([own.high?.waiting, own.default?.delayed, own.low?.failed, own.low?.inFlight]).toEqual([2, 1, 1, 1]);
    expect([own.low?.failedLastHour, own.low?.failedLastMinute, own.low?.workers]).toEqual([1, 1, 1]);

    const all = byQueue((await t.call("GET", "/v1/admin/queues", { token: admin })).body);
    expect([all.high?.waiting, all.default?.delayed, all.low?.failed, all.low?.inFlight]).toEqual([5, 3, 3, 2]);
    expect(all.low?.failedLastHour).toBe(3);
    const theirs = byQueue((await t.call("GET", "/v1/admin/queues", { token: owner2 })).body);
    expect([theirs.high?.waiting, theirs.low?.failed]).toEqual([3, 2]);
  });

  it("builds metrics series per queue and per job from the caller's own jobs", async () => {
    const mine = await t.call("GET", "/v1/admin/queues/metrics?range=hour&queue=low", { token: owner });
    expect(mine.status).toBe(200);
    expect(mine.body.bucketMs).toBe(60_000);
    expect(mine.body.queues.map((s: { queue: string }) => s.queue)).toEqual(["low"]);
    expect(mine.body.queues[0].summary).toMatchObject({ failed: 1, successRate: 0 });
    const job = mine.body.jobs.find((s: { job: string }) => s.job === "MenuSyncFromPOS");
    expect(job.summary.failed).toBe(1);
    expect(job.points.reduce((n: number, p: { failed: number }) => n + p.failed, 0)).toBe(1);

    const all = await t.call("GET", "/v1/admin/queues/metrics?range=day", { token: admin });
    expect(all.body.bucketMs).toBe(900_000);
    expect(all.body.queues.find((s: { queue: string }) => s.queue === "low").summary.failed).toBe(3);
    expect(all.body.jobs.map((s: { job: string }) => s.job)).toContain("OrderSyncToPOS");
  });

  it("lists jobs by state with filters and pagination", async () => {
    const page = await t.call("GET", "/v1/admin/queues/jobs?state=waiting&limit=1&offset=1", { token: owner });
    expect(page.body).toMatchObject({ limit: 1, offset: 1, hasMore: false });
    expect(page.body.jobs).toHaveLength(1);
    expect(page.body.jobs[0]).toMatchObject({ name: "OrderSyncToPOS", queue: "high", restaurantId: 1 });
    const delayed = await t.call("GET", "/v1/admin/queues/jobs?state=delayed&restaurantId=2&name=PaymentSyncToPOS", {
      token: admin,
    });
    expect(delayed.body.jobs.map((j: { restaurantId: number }) => j.restaurantId)).toEqual([2, 2]);
    const inFlight = await t.call("GET", "/v1/admin/queues/jobs?state=in-flight", { token: owner2 });
    expect(inFlight.body.jobs.map((j: { id: string }) => j.id)).toEqual([held[2]]);
  });

  it("shows a failed job's reason to its owner and its stack to admins only, and hides it from other restaurants", async () => {
    const id = failed[1]![0]!;
    const detail = await t.call("GET", `/v1/admin/queues/jobs/${id}`, { token: owner });
    expect(detail.body).toMatchObject({
      id,
      state: "failed",
      restaurantId: 1,
      payload: { restaurantId: 1, mode: "fail" },
      failure: { reason: "non-retryable", error: "NonRetryableError: menu of restaurant 1 rejected by the POS" },
    });
    // Stacks are for admins: the owner sees the error, not the code paths.
    expect(detail.body.failure.stack).toBeNull();
    expect(detail.body.errors).toEqual([
      {
        attempt: 1,
        at: detail.body.failure.failedAt,
        message: "NonRetryableError: menu of restaurant 1 rejected by the POS",
        stack: null,
      },
    ]);
    const asAdmin = await t.call("GET", `/v1/admin/queues/jobs/${id}`, { token: admin });
    expect(asAdmin.body.failure.stack).toContain("NonRetryableError");
    expect(asAdmin.body.errors[0].stack).toContain("NonRetryableError");
    const failedRows = async (token: string) =>
      (await t.call("GET", `/v1/admin/queues/failed?restaurantId=1`, { token })).body.jobs as Array<{
        stack: string | null;
      }>;
    expect((await failedRows(owner)).map((j) => j.stack)).toEqual([null]);
    expect((await failedRows(admin))[0]?.stack).toContain("NonRetryableError");
    const ownList = await t.call("GET", "/v1/admin/queues/failed?queue=low", { token: owner });
    expect(ownList.body.jobs.length).toBeGreaterThan(0);
    expect(ownList.body.jobs.every((j: { stack: string | null }) => j.stack === null)).toBe(true);
    const adminList = await t.call("GET", "/v1/admin/queues/failed?queue=low", { token: admin });
    expect(adminList.body.jobs.some((j: { stack: string | null }) => j.stack?.includes("NonRetryableError"))).toBe(
      true,
    );
    expect((await t.call("GET", `/v1/admin/queues/jobs/${id}`, { token: owner2 })).status).toBe(404);
    const list = await t.call("GET", "/v1/admin/queues/failed?queue=low", { token: owner2 });
    expect(list.body.total).toBe(2);
    expect(list.body.jobs.every((j: { restaurantId: number }) => j.restaurantId === 2)).toBe(true);
  });

  it("tells a job's timeline from dispatch to failure, and a live job's from dispatch to its run", async () => {
    const failedId = failed[1]![0]!;
    const detail = (await t.call("GET", `/v1/admin/queues/jobs/${failedId}`, { token: owner })).body;
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual(["dispatched", "failed"]);
    expect(detail.timeline[0].at).toBe(detail.createdAt);
    expect(detail.timeline[1]).toEqual({
      kind: "failed",
      at: detail.failure.failedAt,
      attempt: 1,
      detail: "non-retryable: NonRetryableError: menu of restaurant 1 rejected by the POS",
    });

    const running = (await t.call("GET", `/v1/admin/queues/jobs/${held[1]}`, { token: owner })).body;
    expect(running.state).toBe("in-flight");
    expect(running.errors).toEqual([]);
    const kinds = running.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(["dispatched", "queued", "running"]);
    const [dispatched, queued, run] = running.timeline as Array<{ at: number; detail: string }>;
    expect(queued!.at).toBeGreaterThanOrEqual(dispatched!.at);
    expect(run!.at).toBeGreaterThanOrEqual(queued!.at);
    expect(run!.detail).toContain(running.consumer);

    const [delayed] = (await t.call("GET", "/v1/admin/queues/jobs?state=delayed&restaurantId=1", { token: owner })).body
      .jobs as Array<{ id: string; dueAt: number }>;
    const due = (await t.call("GET", `/v1/admin/queues/jobs/${delayed!.id}`, { token: owner })).body;
    expect(due.timeline.at(-1)).toMatchObject({ kind: "available", at: delayed!.dueAt, attempt: 1 });
    expect(delayed!.dueAt).toBeGreaterThan(Date.now());
  });

  it("says why the status is not ok, and lists live workers first with the retention window", async () => {
    const overview = (await t.call("GET", "/v1/admin/queues", { token: admin })).body;
    // Jobs wait on high and default, and the test world's only worker serves low.
    expect(overview.status).toBe("down");
    const codes = overview.reasons.map((r: { code: string; queue: string | null }) => `${r.code}:${r.queue}`);
    expect(codes).toContain("no_live_worker:high");
    expect(codes).not.toContain("no_live_worker:low");
    const high = overview.reasons.find((r: { queue: string }) => r.queue === "high");
    expect(high.message).toBe("high: 5 waiting and no live worker serves it");

    const { redis, config } = t;
    const stopped = { id: "stopped-worker", pid: 1, host: "h", queues: ["low"], shards: 1, concurrency: 1 };
    await redis.send("HSET", [
      `{${config.REDIS_PREFIX}:meta}:workers:info`,
      stopped.id,
      JSON.stringify({
        ...stopped,
        mode: "strict",
        state: "stopped",
        startedAt: Date.now() - 5000,
        lastBeatAt: Date.now() - 1000,
        inFlight: [],
        processed: 0,
        failed: 0,
        retried: 0,
        released: 0,
        dropped: 0,
      }),
    ]);
    await redis.send("ZADD", [`{${config.REDIS_PREFIX}:meta}:workers`, Date.now() - 1000, stopped.id]);
    const list = (await t.call("GET", "/v1/admin/queues/workers", { token: admin })).body;
    expect(list.retentionMs).toBe(t.config.WORKER_RETENTION_SECONDS * 1000);
    expect(list.workers.map((w: { alive: boolean }) => w.alive)).toEqual([true, false]);
    expect(list.workers[1]).toMatchObject({ id: "stopped-worker", state: "stopped", alive: false });
    await redis.send("ZREM", [`{${config.REDIS_PREFIX}:meta}:workers`, stopped.id]);
    await redis.send("HDEL", [`{${config.REDIS_PREFIX}:meta}:workers:info`, stopped.id]);
  });

  it("shows owners only their own pending entries and in-flight jobs on workers, and no host or pid", async () => {
    const pending = await t.call("GET", "/v1/admin/queues/pending", { token: owner });
    expect(pending.body.entries.map((e: { jobId: string }) => e.jobId)).toEqual([held[1]]);
    expect(pending.body.entries[0]).toMatchObject({ queue: "low", deliveries: 1, stalled: false, restaurantId: 1 });
    // The consumer (a worker id, `host-pid-…`) is an opaque id for anyone but an admin.
    expect(pending.body.entries[0].consumer).toBe(opaqueWorkerId(world.worker.id));
    const mine = await t.call("GET", "/v1/admin/queues/workers", { token: owner });
    const worker = mine.body.workers.find((w: { id: string }) => w.id === opaqueWorkerId(world.worker.id));
    expect(worker).toMatchObject({ host: null, pid: null });
    expect(JSON.stringify(mine.body)).not.toContain(hostname());
    expect(worker.inFlight.map((j: { jobId: string }) => j.jobId)).toEqual([held[1]]);
    expect(worker.processed).toBeNull();
    const all = await t.call("GET", "/v1/admin/queues/workers", { token: admin });
    const full = all.body.workers.find((w: { id: string }) => w.id === world.worker.id);
    expect(full).toMatchObject({ alive: true, dead: false, queues: ["low"], concurrency: 4, failed: 3 });
    expect(full).toMatchObject({ host: hostname(), pid: process.pid });
    expect(full.inFlight).toHaveLength(2);
  });

  it("refuses bad input with a 4xx and changes nothing", async () => {
    const before = await world.store.count({});
    const bad: Array<[string, string, unknown, number, string]> = [
      ["GET", "/v1/admin/queues/jobs?state=lost", undefined, 400, "validation_error"],
      ["GET", "/v1/admin/queues/jobs?state=waiting&limit=0", undefined, 400, "validation_error"],
      ["GET", "/v1/admin/queues/jobs?state=waiting&queue=urgent", undefined, 400, "unknown_queue"],
      ["GET", "/v1/admin/queues/jobs?state=waiting&name=NoSuchJob", undefined, 400, "unknown_job"],
      ["GET", "/v1/admin/queues/jobs/not%20an%20id", undefined, 400, "validation_error"],
      ["GET", "/v1/admin/queues/jobs/no-such-job", undefined, 404, "not_found"],
      ["GET", "/v1/admin/queues/metrics?range=week", undefined, 400, "validation_error"],
      ["POST", "/v1/admin/queues/failed/retry", { queue: "urgent" }, 400, "unknown_queue"],
      ["POST", "/v1/admin/queues/failed/retry", { surprise: true }, 400, "validation_error"],
      ["POST", "/v1/admin/queues/failed/retry", "not json", 400, "validation_error"],
      ["POST", "/v1/admin/queues/failed/retry", undefined, 400, "validation_error"],
      [
        "POST",
        "/v1/admin/queues/failed/retry",
        { from: "2026-11-27T12:00:00Z", to: "2026-11-27T11:00:00Z" },
        400,
        "validation_error",
      ],
      ["DELETE", "/v1/admin/queues/failed?from=yesterday", undefined, 400, "validation_error"],
      ["DELETE", "/v1/admin/queues/failed?name=NoSuchJob", undefined, 400, "unknown_job"],
      ["POST", "/v1/admin/queues/failed/no-such-job/retry", undefined, 404, "not_found"],
      ["DELETE", "/v1/admin/queues/failed/no-such-job", undefined, 404, "not_found"],
      ["POST", "/v1/admin/queues/urgent/pause", undefined, 404, "not_found"],
      ["GET", "/v1/admin/queues/restaurants/999/pos-connections", undefined, 404, "not_found"],
    ];
    for (const [method, path, body, status, code] of bad) {
      const res = await t.call(method, path, { token: admin, body });
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({ path, status, code });
    }
    expect(await world.store.count({})).toBe(before);
    const overview = byQueue((await t.call("GET", "/v1/admin/queues", { token: admin })).body);
    expect(overview.low?.paused).toBe(false);
  });

  it("retries a failed job, which then runs and succeeds", async () => {
    const id = failed[1]!.pop()!;
    const res = await t.call("POST", `/v1/admin/queues/failed/${id}/retry`, { token: owner });
    expect(res.body).toEqual({ retried: 1, jobIds: [id] });
    await waitUntil(async () => (await t.call("GET", `/v1/admin/queues/jobs/${id}`, { token: owner })).status === 404);
    expect(await world.store.get(id)).toBeNull();
    const own = byQueue((await t.call("GET", "/v1/admin/queues", { token: owner })).body);
    await waitUntil(async () => {
      const now = byQueue((await t.call("GET", "/v1/admin/queues", { token: owner })).body);
      return now.low?.processedLastHour === 1;
    });
    expect(own.low?.failed).toBe(0);
  });

  it("clears only the owner's own failed jobs when an owner clears all", async () => {
    const extra = await world.failedJob(1);
    const res = await t.call("DELETE", "/v1/admin/queues/failed", { token: owner });
    expect(res.body).toEqual({ deleted: 1 });
    expect(await world.store.get(extra)).toBeNull();
    expect(await world.store.count({ partition: "2" })).toBe(2);
    expect((await t.call("POST", "/v1/admin/queues/failed/retry", { token: owner, body: {} })).body).toEqual({
      retried: 0,
    });
  });

  it("documents every monitoring route with the bearer scheme and a response schema", async () => {
    const doc = (await t.call("GET", "/openapi.json")).body as {
      paths?: Record<string, Record<string, Operation>>;
      components?: {
        securitySchemes?: Record<string, unknown>;
        schemas?: Record<string, { properties?: object; allOf?: unknown[]; anyOf?: unknown[]; oneOf?: unknown[] }>;
      };
    };
    expect(doc.components?.securitySchemes?.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const paths = Object.keys(doc.paths ?? {}).filter((p) => p.startsWith("/v1/admin/queues"));
    expect(paths.sort()).toEqual(
      [
        "/v1/admin/queues",
        "/v1/admin/queues/failed",
        "/v1/admin/queues/retry-failed",
        "/v1/admin/queues/failed/{id}",
        "/v1/admin/queues/failed/{id}/retry",
        "/v1/admin/queues/jobs",
        "/v1/admin/queues/jobs/{id}",
        "/v1/admin/queues/metrics",
        "/v1/admin/queues/pending",
        "/v1/admin/queues/restaurants/{id}/pos-connections",
        "/v1/admin/queues/workers",
        "/v1/admin/queues/pause/{queue}",
        "/v1/admin/queues/resume/{queue}",
      ].sort(),
    );
    const expectedSchemas: Record<string, string> = {
      "get /v1/admin/queues": "QueuesOverview",
      "get /v1/admin/queues/metrics": "QueueMetrics",
      "get /v1/admin/queues/jobs": "JobPage",
      "get /v1/admin/queues/jobs/{id}": "JobDetail",
      "get /v1/admin/queues/pending": "PendingEntries",
      "get /v1/admin/queues/workers": "Workers",
      "post /v1/admin/queues/pause/{queue}": "QueuePaused",
      "post /v1/admin/queues/resume/{queue}": "QueuePaused",
      "get /v1/admin/queues/restaurants/{id}/pos-connections": "PosConnections",
      "get /v1/admin/queues/failed": "FailedJobPage",
      "delete /v1/admin/queues/failed": "FailedJobsDeleted",
      "post /v1/admin/queues/retry-failed": "FailedJobsRetried",
      "post /v1/admin/queues/failed/{id}/retry": "FailedJobsRetried",
      "delete /v1/admin/queues/failed/{id}": "FailedJobsDeleted",
    };
    const components = doc.components?.schemas ?? {};
    const seen: Record<string, string> = {};
    for (const path of paths) {
      const operations = Object.entries(doc.paths?.[path] ?? {}) as Array<[string, Operation]>;
      for (const [method, op] of operations) {
        expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ bearerAuth: [] }] });
        const schema200 = op.responses["200"]?.content?.["application/json"]?.schema as { $ref?: string } | undefined;
        const ref = schema200?.$ref ?? "";
        const name = ref.replace("#/components/schemas/", "");
        seen[`${method} ${path}`] = name;
        // The referenced schema describes fields (or the shapes it may take), not an empty placeholder.
        const schema = components[name];
        const described = Object.keys(
          schema?.properties ?? schema?.allOf ?? schema?.anyOf ?? schema?.oneOf ?? {},
        ).length;
        expect({ name, described: described > 0 }).toEqual({ name, described: true });
        expect(op.responses["403"]).toMatchObject({
          description: "Not allowed",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        });
      }
    }
    expect(seen).toEqual(expectedSchemas);
    expect(Object.keys(components.Error?.properties ?? {})).toEqual(["error"]);
  });
});
