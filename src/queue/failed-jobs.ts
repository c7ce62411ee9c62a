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
    const ids = found.filter((_, i) => results[i] !== null).map((j) => j.jobId);
    await this.store.delete(ids);
    return ids;
  }

  /** Retries every failed job matching the filter, in chunks; returns how many. */
  async retryAll(filter: FailedJobFilter): Promise<number> {
    let retried = 0;
    let skipped = 0;
    for (;;) {
      const page = await this.store.list(filter, { limit: RETRY_CHUNK, offset: skipped });
      // Nothing left that matches.
      if (page.jobs.length === 0) return retried;
      const done = (await this.retry(page.jobs.map((j) => j.jobId))).length;
      retried += done;
      skipped += page.jobs.length - done;
    }
  }
}
