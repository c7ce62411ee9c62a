import { z } from "zod";
import { defineJob } from "../../src/queue/job";

/**
 * The smallest real job: logs a message. It proves a deployment's worker is consuming
 * (`queue.dispatch(QueuePing, { message: "hello" })` shows up in the worker's log).
 */
export const QueuePing = defineJob({
  name: "QueuePing",
  queue: "low",
  tries: 1,
  backoff: [],
  timeout: 5,
  payload: z.object({ message: z.string().max(200) }),
  handle(payload, ctx) {
    ctx.log.info("queue ping", { message: payload.message });
  },
});
