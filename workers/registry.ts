import type { AnyJobDefinition } from "../src/queue/job";
import { QueuePing } from "./jobs/queue-ping";

/** Every job the app's worker runs. A job missing here fails as `unknown-job` when a worker meets it. */
export const registeredJobs: readonly AnyJobDefinition[] = [QueuePing];
