import type { Database } from "../../db/client";
import type { JobBatches } from "../../src/queue/batches";
import { NonRetryableError } from "../../src/queue/errors";
import { implementJob } from "../../src/queue/job";
import { recordJobBatch } from "../../src/services/batches/batch-history";
import { RecordJobBatch } from "../../src/sync/app-job-contracts";

/** The handler of `RecordJobBatch`, the app's `finally` callback of every batch. */
export function createRecordJobBatch(deps: { db: Database; batches: JobBatches; retentionDays: number }) {
  return implementJob(RecordJobBatch, async (_payload, ctx) => {
    if (!ctx.batch) throw new NonRetryableError("RecordJobBatch runs only as a batch's callback");
    const recorded = await recordJobBatch(deps.db, deps.batches, ctx.batch.id, { retentionDays: deps.retentionDays });
    if (!recorded) ctx.log.warn("batch record already gone from Redis; nothing to write", { batchId: ctx.batch.id });
  });
}
