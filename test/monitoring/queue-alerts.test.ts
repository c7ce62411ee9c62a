import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { createLogger } from "../../src/logger";
import { NonRetryableError } from "../../src/queue/errors";
import { defineJob } from "../../src/queue/job";
import { QueueMonitor } from "../../src/queue/monitor";
import type { RedisConnection } from "../../src/redis/types";
import {
  type QueueAlertNotifier as Notifier,
  QueueAlertNotifier,
  type QueueAlertSettings,
  queueAlertKeys,
} from "../../src/services/monitoring/queue-alerts";
import { QueuePing } from "../../src/sync/app-job-contracts";
import { startPosRuntime } from "../../workers/pos-runtime";
import { queueWorld, waitFor } from "../queue/support";
import { createTestApp } from "../support/app";
import { deleteKeys, testRedis } from "../support/redis";

type SlackMessage = {
  text: string;
  attachments: Array<{ fields: Array<{ title: string; value: string; short: boolean }> }>;
};

/** A loopback Slack-compatible webhook: records each message; answers `status` (200 unless told). */
let received: SlackMessage[] = [];
let status = 200;
let receiver: ReturnType<typeof Bun.serve>;
let webhookUrl: string;

beforeAll(() => {
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (request.method !== "POST" || request.headers.get("content-type") !== "application/json") {
        return new Response("invalid_payload", { status: 400 });
      }
      const body = (await request.json()) as SlackMessage;
      if (typeof body.text !== "string" || body.text === "") return new Response("no_text", { status: 400 });
      if (status !== 200) return new Response("server_error", { status });
      received.push(body);
      return new Response("ok");
    },
  });
  webhookUrl = `http://127.0.0.1:${receiver.port}/services/T000/B000/XXXX`;
});
afterAll(() => receiver.stop(true));

const extraConnections: RedisConnection[] = [];
afterEach(async () => {
  received = [];
  status = 200;
  while (extraConnections.length > 0) extraConnections.pop()!.close();
});

const Ping = defineJob({
  name: "AlertPing",
  queue: "high",
  tries: 1,
  backoff: [],
  timeout: 30,
  payload: z.object({ n: z.number().int() }),
  async handle() {},
});

const Rejected = defineJob({
  name: "AlertRejected",
  queue: "low",
  tries: 1,
  backoff: [],
  timeout: 30,
  payload: z.object({ n: z.number().int() }),
  async handle(p) {
    throw new NonRetryableError(`payload ${p.n} refused`);
  },
});

const settings = (overrides: Partial<QueueAlertSettings> = {}): QueueAlertSettings => ({
  webhookUrl,
  windowMs: 60_000,
  failureRate: 0.5,
  failureMinCount: 3,
  ...overrides,
});

/** A notifier as one more process would run it: its own Redis connection and monitor. */
async function notifierProcess(prefix: string, s: QueueAlertSettings): Promise<Notifier> {
  const redis = await testRedis();
  extraConnections.push(redis);
  const monitor = new QueueMonitor({ redis, prefix, longWaitMs: 100 });
  return new QueueAlertNotifier({ monitor, redis, prefix, logger: createLogger("silent"), settings: s });
}

describe("queue alert notifications", () => {
  it("posts a long wait once per window per queue, however many processes check at once", async () => {
    const w = await queueWorld();
    await w.queue.ensureGroups(["high", "default", "low"]);
    await w.queue.dispatch(Ping, { n: 1 });
    await w.queue.dispatch(Ping, { n: 2 });
    const s = settings({ windowMs: 1_500 });
    const processes = await Promise.all([1, 2, 3].map(() => notifierProcess(w.prefix, s)));
    await waitFor(async () => (await processes[0]!.detect()).some((a) => a.kind === "long_wait"), 10_000, "long wait");

    const sent = (await Promise.all(processes.map((p) => p.check()))).flat();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: "long_wait", queue: "high", waiting: 2 });
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('long wait on queue "high"');
    expect(received[0]!.attachments[0]!.fields).toContainEqual({ title: "queue", value: "high", short: true });
    expect(received[0]!.attachments[0]!.fields).toContainEqual({ title: "waiting", value: "2", short: true });

    // Still waiting, still inside the window: nothing more.
    expect(await processes[1]!.check()).toEqual([]);
    expect(received).toHaveLength(1);

    // Once the window's key has expired, the next check sends again.
    const key = queueAlertKeys(w.prefix).sent("long_wait", "high");
    await waitFor(async () => (await w.redis.send("EXISTS", [key])) === 0, 10_000, "window to end");
    expect((await processes[2]!.check()).map((a) => a.kind)).toEqual(["long_wait"]);
    expect(received).toHaveLength(2);
    await deleteKeys(w.redis, `${w.prefix}:alerts:`);
  }, 30_000);

  it("posts a failure spike when enough of a queue's recent attempts failed", async () => {
    const w = await queueWorld();
    await w.queue.ensureGroups(["high", "default", "low"]);
    const worker = w.worker({ jobs: [Rejected], queues: ["low"] });
    await worker.start();
    const notifier = await notifierProcess(w.prefix, settings());
    await w.queue.dispatch(Rejected, { n: 1 });
    await w.queue.dispatch(Rejected, { n: 2 });
    // Two failures are under the minimum of three: no alert yet.
    const monitor = new QueueMonitor({ redis: w.redis, prefix: w.prefix });
    await waitFor(async () => (await monitor.metrics("low")).summary.failed === 2, 10_000, "two failures counted");
    expect(await notifier.check()).toEqual([]);

    await w.queue.dispatch(Rejected, { n: 3 });
    await waitFor(async () => (await monitor.metrics("low")).summary.failed === 3, 10_000, "three failures counted");
    const sent = await notifier.check();
    expect(sent).toEqual([{ kind: "failure_spike", queue: "low", failed: 3, processed: 0, failureRate: 1 }]);
    expect(received.map((m) => m.text)).toEqual([
      'FoodHub Sync: failure spike on queue "low": 3 of 3 attempts failed (100%) in the last 5 minutes.',
    ]);
    await deleteKeys(w.redis, `${w.prefix}:alerts:`);
  }, 30_000);

  it("gives the window back when the webhook fails, so the next check delivers", async () => {
    const w = await queueWorld();
    await w.queue.ensureGroups(["high", "default", "low"]);
    await w.queue.dispatch(Ping, { n: 1 });
    const notifier = await notifierProcess(w.prefix, settings());
    await waitFor(async () => (await notifier.detect()).length > 0, 10_000, "long wait");
    status = 500;
    expect(await notifier.check()).toEqual([]);
    expect(await w.redis.send("EXISTS", [queueAlertKeys(w.prefix).sent("long_wait", "high")])).toBe(0);
    status = 200;
    expect((await notifier.check()).map((a) => a.queue)).toEqual(["high"]);
    expect(received).toHaveLength(1);
    await deleteKeys(w.redis, `${w.prefix}:alerts:`);
  }, 30_000);
});

describe("a worker with ALERT_WEBHOOK_URL", () => {
  it("checks on its own and posts a long wait, also on a queue it does not serve", async () => {
    const t = await createTestApp();
    const runtime = await startPosRuntime({
      config: { ...t.config, ALERT_WEBHOOK_URL: webhookUrl, ALERT_CHECK_SECONDS: 1, QUEUE_LONG_WAIT_SECONDS: 1 },
      db: t.db,
      redis: t.redis,
      logger: createLogger("silent"),
      scheduler: false,
      statusIntervalMs: 0,
      worker: { queues: ["high", "default"] },
    });
    try {
      // QueuePing goes to `low`, which this worker does not serve: the ping waits.
      await runtime.queue.dispatch(QueuePing, { message: "nobody serves low" });
      await waitFor(() => received.length > 0, 60_000, "the worker's alert");
      expect(received[0]!.text).toContain('long wait on queue "low"');
      expect(received.every((m) => !m.text.includes('"high"') && !m.text.includes('"default"'))).toBe(true);
    } finally {
      await runtime.stop();
      await deleteKeys(t.redis, `${t.config.REDIS_PREFIX}:alerts:`);
      await t.close();
    }
  }, 240_000);
});
