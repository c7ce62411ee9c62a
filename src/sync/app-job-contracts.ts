import { z } from "zod";
import { type AnyJobContract, defineJobContract } from "../queue/job";
import { RefundCardPayment, SettleCardPayment } from "./payment-job-contracts";
import { POS_JOB_CONTRACTS } from "./pos-job-contracts";

/**
 * The smallest real job: the worker logs its message. It proves a deployment's worker is
 * consuming (`queue.dispatch(QueuePing, { message: "hello" })` shows up in the worker's log).
 */
export const QueuePing = defineJobContract({
  name: "QueuePing",
  queue: "low",
  tries: 1,
  backoff: [],
  timeout: 5,
  payload: z.object({ message: z.string().max(200) }),
});

/**
 * The `finally` callback of every batch the app dispatches: writes the finished batch to
 * `job_batches` and prunes history past `JOB_BATCH_RETENTION_DAYS`. Its batch is `ctx.batch`.
 */
export const RecordJobBatch = defineJobContract({
  name: "RecordJobBatch",
  queue: "low",
  tries: 3,
  backoff: [10, 60],
  timeout: 30,
  payload: z.object({}).strict(),
});

/**
 * Every job of the app. The API's monitoring knows these names and the worker must have a
 * handler for each (it refuses to start otherwise), so the two never disagree.
 */
export const APP_JOB_CONTRACTS: readonly AnyJobContract[] = [
  ...POS_JOB_CONTRACTS,
  SettleCardPayment,
  RefundCardPayment,
  QueuePing,
  RecordJobBatch,
];
