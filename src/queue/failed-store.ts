import type { JobEnvelope } from "./envelope";

/** Why a job ended in failed. */
export type FailureReason = "exhausted" | "non-retryable" | "invalid-payload" | "unknown-job" | "poison";

/** A job that will not run again unless someone retries it. */
export type FailedJob = {
  jobId: string;
  queue: string;
  name: string;
  /** The job's partition key (the app's restaurant id). */
  partition: string | null;
  payload: unknown;
  /** The envelope as it was when the job failed; a retry re-dispatches it. */
  envelope: JobEnvelope;
  reason: FailureReason;
  error: string;
  stack: string | null;
  attempts: number;
  /** ms since epoch. */
  failedAt: number;
};

export type FailedJobFilter = {
  queue?: string;
  name?: string;
  partition?: string;
  /** Only jobs of these partitions (a restaurant owner sees only their own restaurants). */
  partitions?: readonly string[];
  /** failedAt >= from (ms). */
  from?: number;
  /** failedAt <= to (ms). */
  to?: number;
};

export type FailedJobPage = { jobs: FailedJob[]; total: number };

/**
 * Where failed jobs live. Saving must be idempotent on `jobId`: a crash between saving and
 * removing the stream entry makes the job fail (and be saved) a second time.
 */
export interface FailedJobStore {
  save(job: FailedJob): Promise<void>;
  /** Newest first. */
  list(filter: FailedJobFilter, page: { limit: number; offset: number }): Promise<FailedJobPage>;
  get(jobId: string): Promise<FailedJob | null>;
  count(filter: FailedJobFilter): Promise<number>;
  /** Deletes these jobs; returns how many existed. */
  delete(jobIds: readonly string[]): Promise<number>;
  /**
   * Deletes these records only where `failedAt` is still the one read (a retried job that
   * already failed again keeps its new record); returns how many were deleted.
   */
  deleteIfUnchanged(jobs: ReadonlyArray<Pick<FailedJob, "jobId" | "failedAt">>): Promise<number>;
  /** Deletes every job matching the filter (all when empty); returns how many. */
  clear(filter: FailedJobFilter): Promise<number>;
}

/** True when a failed job passes a filter (for stores that filter in memory). */
export function matchesFailedFilter(job: FailedJob, filter: FailedJobFilter): boolean {
  if (filter.queue !== undefined && job.queue !== filter.queue) return false;
  if (filter.name !== undefined && job.name !== filter.name) return false;
  if (filter.partition !== undefined && job.partition !== filter.partition) return false;
  if (filter.partitions !== undefined && (job.partition === null || !filter.partitions.includes(job.partition))) {
    return false;
  }
  if (filter.from !== undefined && job.failedAt < filter.from) return false;
  if (filter.to !== undefined && job.failedAt > filter.to) return false;
  return true;
}
