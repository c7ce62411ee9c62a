import type { AnyJobDefinition } from "../src/queue/job";
import { APP_JOB_CONTRACTS } from "../src/sync/app-job-contracts";
import type { PosJobDeps } from "./jobs/pos-job-deps";
import { createPosJobs, type PosJobs, type PosJobsOptions, scaled } from "./jobs/pos-jobs";
import { queuePing } from "./jobs/queue-ping";
import { refundCardPaymentJob } from "./jobs/refund-card-payment";
import { type SettleDeps, settleCardPaymentJob } from "./jobs/settle-card-payment";

export type JobRegistry = { pos: PosJobs; all: readonly AnyJobDefinition[] };

/**
 * A handler for every job of the app (`APP_JOB_CONTRACTS`): the seven POS sync
 * jobs, bound to their dependencies, SettleCardPayment, RefundCardPayment, QueuePing and RecordJobBatch. The list is
 * the one the API's monitoring reads; a contract without a handler here, or a handler
 * without a contract, stops the worker before it starts.
 */
export function createJobRegistry(
  deps: PosJobDeps,
  settle: SettleDeps,
  options: PosJobsOptions = {},
  appJobs: { recordJobBatch: AnyJobDefinition },
): JobRegistry {
  const pos = createPosJobs(deps, options);
  const all = [
    ...pos.all,
    scaled(settleCardPaymentJob(settle), options.timeScale ?? 1),
    scaled(refundCardPaymentJob(settle), options.timeScale ?? 1),
    queuePing,
    appJobs.recordJobBatch,
  ];
  const handled = all.map((j) => j.name).sort();
  const contracted = APP_JOB_CONTRACTS.map((j) => j.name).sort();
  if (handled.join() !== contracted.join()) {
    throw new Error(
      `the worker's handlers (${handled.join(", ")}) differ from the app's jobs (${contracted.join(", ")})`,
    );
  }
  return { pos, all };
}
