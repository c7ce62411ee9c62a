import type { AnyJobDefinition } from "../src/queue/job";
import type { PosJobDeps } from "./jobs/pos-job-deps";
import { createPosJobs, type PosJobs, type PosJobsOptions } from "./jobs/pos-jobs";
import { QueuePing } from "./jobs/queue-ping";

export type JobRegistry = { pos: PosJobs; all: readonly AnyJobDefinition[] };

/**
 * Every job the app's worker runs: the five POS sync jobs (bound to their
 * dependencies) and QueuePing. A job missing here fails as `unknown-job`
 * when a worker meets it.
 */
export function createJobRegistry(deps: PosJobDeps, options: PosJobsOptions = {}): JobRegistry {
  const pos = createPosJobs(deps, options);
  return { pos, all: [...pos.all, QueuePing] };
}
