/**
 * A worker process for `bench:autoscale`. Arguments: redis URL, key prefix, supervisor id.
 * Its one job, `Work`, waits 5 ms (an I/O-bound POS call, scaled down) at concurrency 5.
 * SIGTERM drains and exits 0.
 */
import { z } from "zod";
import { parseConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { consoleLogger } from "../../src/queue/logger";
import { Worker } from "../../src/queue/worker";
import { connectTcpRedis } from "../../src/redis/tcp";

const [url, prefix, supervisor] = process.argv.slice(2);
if (!url || !prefix) {
  console.error("usage: autoscale-worker.ts <redis-url> <prefix> [supervisor]");
  process.exit(2);
}
const WORK_MS = 5;
const redis = await connectTcpRedis(url);
const work = defineJob({
  name: "Work",
  queue: "default",
  tries: 1,
  backoff: [],
  timeout: 10,
  payload: z.object({ n: z.number() }),
  async handle() {
    await Bun.sleep(WORK_MS);
  },
});
const worker = new Worker({
  redis,
  prefix,
  jobs: [work],
  queues: ["default"],
  concurrency: 5,
  blockMs: 200,
  pollSpinUs: parseConfig({ WORKER_POLL_SPIN_US: process.env.WORKER_POLL_SPIN_US }).WORKER_POLL_SPIN_US,
  heartbeatIntervalMs: 500,
  supervisor,
  logger: consoleLogger("warn"),
});
await worker.start();
process.on("SIGTERM", async () => {
  await worker.stop();
  redis.close();
  process.exit(0);
});
