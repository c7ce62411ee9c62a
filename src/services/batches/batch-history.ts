import { lt } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { jobBatches } from "../../../db/schema";
import type { BatchRecord, JobBatches } from "../../queue/batches";

const DAY_MS = 24 * 3_600_000;

/** The `job_batches` row of a batch record. */
export function batchRow(record: BatchRecord): typeof jobBatches.$inferInsert {
  return {
    id: record.id,
    name: record.name,
    totalJobs: record.total,
    pendingJobs: record.pending,
    failedJobs: record.failed,
    failedJobIds: record.failedJobIds,
    options: {
      ...record.meta,
      scope: record.scope,
      allowFailures: record.allowFailures,
      processed: record.processed,
      skipped: record.skipped,
    },
    cancelledAt: record.cancelledAt === null ? null : new Date(record.cancelledAt),
    createdAt: new Date(record.createdAt),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt),
  };
}

/**
 * Writes a finished batch to `job_batches` (idempotent: a repeat overwrites the row with the same
 * figures) and prunes rows, and Redis' list of batches, past the retention window.
 */
export async function recordJobBatch(
  db: Database,
  batches: JobBatches,
  batchId: string,
  options: { retentionDays: number; now?: number },
): Promise<boolean> {
  const record = await batches.find(batchId);
  const before = (options.now ?? Date.now()) - options.retentionDays * DAY_MS;
  await db.delete(jobBatches).where(lt(jobBatches.finishedAt, new Date(before)));
  await batches.prune(before);
  if (!record) return false;
  const row = batchRow(record);
  await db.insert(jobBatches).values(row).onConflictDoUpdate({ target: jobBatches.id, set: row });
  return true;
}
