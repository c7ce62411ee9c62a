import { implementJob } from "../../src/queue/job";
import { QueuePing } from "../../src/sync/app-job-contracts";

/** Logs the ping's message: the worker is consuming. */
export const queuePing = implementJob(QueuePing, (payload, ctx) => {
  ctx.log.info("queue ping", { message: payload.message });
});
