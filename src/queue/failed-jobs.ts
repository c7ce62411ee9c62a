import type { FailedJobFilter, FailedJobStore } from "./failed-store";
import type { Queue } from "./queue";

const RETRY_CHUNK = 200;

/**
 * Retrying failed jobs: each is re-dispatched under its own id with fresh tries, then removed
 * from the store. Re-dispatch comes first so a crash in between duplicates a job rather than
 * losing it (handlers are idempotent).
 */
export class FailedJobs {
  constructor(
    private readonly queue: Queue,
    readonly store: FailedJobStore,
  ) {}

  /** Retries these jobs; returns the ids that were found and re-dispatched. */
  async retry(jobIds: readonly string[]): Promise<string[]> {
    const found = (await Promise.all(jobIds.map((id) => this.store.get(id)))).filter((j) => j !== null);
    if (found.length === 0) return [];
    const results = await this.queue.redispatch(found.map((j) => j.envelope));
    // A job whose unique lock is held by a live copy stays in failed rather than vanishing.
    const retried = found.filter((_, i) => results[i] !== null);
    // Only the records read: a retried job may already have run and failed again.
    await this.store.deleteIfUnchanged(retried);
    return retried.map((j) => j.jobId);
  }

  /**
   * Retries every job that matched the filter when the call started, each once, in chunks;
   * returns how many. A retried job that fails again lands back in the store with a newer time
   * and is not picked up a second time by the same call.
   */
  async retryAll(filter: FailedJobFilter): Promise<number> {
    // Collect first, retry after: ids found while paging, newest first. Jobs failing meanwhile push
    // the list down, so a page may repeat ids (the set drops them) but never skips one.
    const total = await this.store.count(filter);
    const ids = new Set<string>();
    for (let offset = 0; ids.size < total; offset += RETRY_CHUNK) {
      const page = await this.store.list(filter, { limit: RETRY_CHUNK, offset });
      for (const job of page.jobs) ids.add(job.jobId);
      // The list ended before the count was reached: jobs were deleted meanwhile.
      if (page.jobs.length < RETRY_CHUNK) break;
    }
    const all = [...ids];
    let retried = 0;
    for (let start = 0; start < all.length; start += RETRY_CHUNK) {
      retried += (await this.retry(all.slice(start, start + RETRY_CHUNK))).length;
    }
    return retried;
  }
}
