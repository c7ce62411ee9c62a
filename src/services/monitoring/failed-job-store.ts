import { and, count, desc, eq, gte, inArray, lte, or, type SQL } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { failedJobs } from "../../../db/schema";
import type { JobEnvelope } from "../../queue/envelope";
import type {
  FailedJob,
  FailedJobFilter,
  FailedJobPage,
  FailedJobStore,
  FailureReason,
} from "../../queue/failed-store";

type FailedJobRow = typeof failedJobs.$inferSelect;
/** The envelope column keeps the job's envelope plus why it failed (the table has no column for that). */
type StoredEnvelope = JobEnvelope & { failureReason?: FailureReason };

/** Partition keys of the app's jobs are restaurant ids; anything else has no restaurant. */
function restaurantIdOf(partition: string | null): number | null {
  return partition !== null && /^\d{1,9}$/.test(partition) ? Number(partition) : null;
}

function toFailedJob(row: FailedJobRow): FailedJob {
  const { failureReason, ...envelope } = row.envelope as StoredEnvelope;
  return {
    jobId: row.jobId,
    queue: row.queue,
    name: row.name,
    partition: envelope.partition ?? (row.restaurantId === null ? null : String(row.restaurantId)),
    payload: row.payload,
    envelope,
    reason: failureReason ?? "exhausted",
    error: row.error,
    stack: row.stack,
    attempts: row.attempts,
    failedAt: row.failedAt.getTime(),
  };
}

function where(filter: FailedJobFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.queue !== undefined) conditions.push(eq(failedJobs.queue, filter.queue));
  if (filter.name !== undefined) conditions.push(eq(failedJobs.name, filter.name));
  if (filter.partition !== undefined) {
    const id = restaurantIdOf(filter.partition);
    // A partition that is not a restaurant id matches nothing in this table.
    if (id === null) return eq(failedJobs.id, -1);
    conditions.push(eq(failedJobs.restaurantId, id));
  }
  if (filter.partitions !== undefined) {
    const ids = filter.partitions.map(restaurantIdOf).filter((id) => id !== null);
    if (ids.length === 0) return eq(failedJobs.id, -1);
    conditions.push(inArray(failedJobs.restaurantId, ids));
  }
  if (filter.from !== undefined) conditions.push(gte(failedJobs.failedAt, new Date(filter.from)));
  if (filter.to !== undefined) conditions.push(lte(failedJobs.failedAt, new Date(filter.to)));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/**
 * Failed jobs in PostgreSQL (`failed_jobs`): durable across Redis restarts and queryable by
 * queue, job name, restaurant and time through the table's indexes.
 */
export class PostgresFailedJobStore implements FailedJobStore {
  constructor(private readonly db: Database) {}

  async save(job: FailedJob): Promise<void> {
    const row = {
      jobId: job.jobId,
      queue: job.queue,
      name: job.name,
      restaurantId: restaurantIdOf(job.partition),
      payload: job.payload ?? null,
      envelope: { ...job.envelope, failureReason: job.reason } as Record<string, unknown>,
      error: job.error,
      stack: job.stack,
      attempts: job.attempts,
      failedAt: new Date(job.failedAt),
    };
    const { jobId: _jobId, ...update } = row;
    // Idempotent on job id: a job failed twice (crash before its entry was removed) is one row.
    await this.db.insert(failedJobs).values(row).onConflictDoUpdate({ target: failedJobs.jobId, set: update });
  }

  async list(filter: FailedJobFilter, page: { limit: number; offset: number }): Promise<FailedJobPage> {
    const condition = where(filter);
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(failedJobs)
        .where(condition)
        .orderBy(desc(failedJobs.failedAt), desc(failedJobs.id))
        .limit(page.limit)
        .offset(page.offset),
      this.db.select({ n: count() }).from(failedJobs).where(condition),
    ]);
    return { jobs: rows.map(toFailedJob), total: total?.n ?? 0 };
  }

  async get(jobId: string): Promise<FailedJob | null> {
    const [row] = await this.db.select().from(failedJobs).where(eq(failedJobs.jobId, jobId)).limit(1);
    return row ? toFailedJob(row) : null;
  }

  async count(filter: FailedJobFilter): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(failedJobs).where(where(filter));
    return row?.n ?? 0;
  }

  async delete(jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    const deleted = await this.db
      .delete(failedJobs)
      .where(inArray(failedJobs.jobId, [...jobIds]))
      .returning({ id: failedJobs.id });
    return deleted.length;
  }

  async deleteIfUnchanged(jobs: ReadonlyArray<Pick<FailedJob, "jobId" | "failedAt">>): Promise<number> {
    if (jobs.length === 0) return 0;
    const deleted = await this.db
      .delete(failedJobs)
      .where(or(...jobs.map((j) => and(eq(failedJobs.jobId, j.jobId), eq(failedJobs.failedAt, new Date(j.failedAt))))))
      .returning({ id: failedJobs.id });
    return deleted.length;
  }

  async clear(filter: FailedJobFilter): Promise<number> {
    const deleted = await this.db.delete(failedJobs).where(where(filter)).returning({ id: failedJobs.id });
    return deleted.length;
  }
}
