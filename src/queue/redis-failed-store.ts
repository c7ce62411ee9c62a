import { toNumber, toScoredMembers } from "../redis/replies";
import { defineScript, runScript } from "../redis/script";
import type { RedisConnection } from "../redis/types";
import type { FailedJob, FailedJobFilter, FailedJobPage, FailedJobStore } from "./failed-store";
import { matchesFailedFilter } from "./failed-store";
import type { QueueKeys } from "./keys";
import deleteIfUnchangedSource from "./lua/delete-failed-if-unchanged-2.lua" with { type: "text" };

const deleteIfUnchanged = defineScript("queue:delete-failed-if-unchanged:v1", 2, deleteIfUnchangedSource);

const SCAN_CHUNK = 500;

/**
 * The library's standalone failed-job store: a ZSET by failure time plus a HASH of records.
 * Filters run in memory over the ZSET in chunks, which suits the small failed sets a healthy
 * queue has; the app uses the Postgres store for durable, indexed queries.
 */
export class RedisFailedJobStore implements FailedJobStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
  ) {}

  async save(job: FailedJob): Promise<void> {
    const g = this.keys.global;
    const replies = await this.redis.pipeline([
      ["HSET", [g.failedJobs, job.jobId, JSON.stringify(job)]],
      ["ZADD", [g.failed, job.failedAt, job.jobId]],
    ]);
    const error = replies.find((r) => r instanceof Error);
    if (error) throw error;
  }

  async get(jobId: string): Promise<FailedJob | null> {
    const raw = await this.redis.send("HGET", [this.keys.global.failedJobs, jobId]);
    return raw == null ? null : (JSON.parse(String(raw)) as FailedJob);
  }

  /** Walks matching jobs newest first, chunk by chunk, until `visit` returns false. */
  async #walk(filter: FailedJobFilter, visit: (job: FailedJob) => boolean): Promise<void> {
    const g = this.keys.global;
    const max = filter.to ?? "+inf";
    const min = filter.from ?? "-inf";
    for (let offset = 0; ; offset += SCAN_CHUNK) {
      const members = toScoredMembers(
        await this.redis.send("ZRANGE", [
          g.failed,
          max,
          min,
          "BYSCORE",
          "REV",
          "LIMIT",
          offset,
          SCAN_CHUNK,
          "WITHSCORES",
        ]),
      );
      // The range is exhausted.
      if (members.length === 0) return;
      const raw = (await this.redis.send("HMGET", [g.failedJobs, ...members.map(([id]) => id)])) as unknown[];
      for (const value of raw) {
        if (value == null) continue;
        const job = JSON.parse(String(value)) as FailedJob;
        // The visitor has seen enough.
        if (matchesFailedFilter(job, filter) && !visit(job)) return;
      }
      // A short chunk was the last one.
      if (members.length < SCAN_CHUNK) return;
    }
  }

  async list(filter: FailedJobFilter, page: { limit: number; offset: number }): Promise<FailedJobPage> {
    const jobs: FailedJob[] = [];
    let total = 0;
    await this.#walk(filter, (job) => {
      if (total >= page.offset && jobs.length < page.limit) jobs.push(job);
      total += 1;
      return true;
    });
    return { jobs, total };
  }

  async count(filter: FailedJobFilter): Promise<number> {
    if (Object.keys(filter).length === 0) return Number(await this.redis.send("ZCARD", [this.keys.global.failed]));
    let total = 0;
    await this.#walk(filter, () => {
      total += 1;
      return true;
    });
    return total;
  }

  async delete(jobIds: readonly string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    const g = this.keys.global;
    const [removed] = await this.redis.pipeline([
      ["ZREM", [g.failed, ...jobIds]],
      ["HDEL", [g.failedJobs, ...jobIds]],
    ]);
    if (removed instanceof Error) throw removed;
    return Number(removed);
  }

  async deleteIfUnchanged(jobs: ReadonlyArray<Pick<FailedJob, "jobId" | "failedAt">>): Promise<number> {
    if (jobs.length === 0) return 0;
    const g = this.keys.global;
    const args = jobs.flatMap((j) => [j.jobId, j.failedAt]);
    return toNumber(await runScript(this.redis, deleteIfUnchanged, [g.failed, g.failedJobs], args));
  }

  async clear(filter: FailedJobFilter): Promise<number> {
    const ids: string[] = [];
    await this.#walk(filter, (job) => {
      ids.push(job.jobId);
      return true;
    });
    let removed = 0;
    for (let i = 0; i < ids.length; i += SCAN_CHUNK) removed += await this.delete(ids.slice(i, i + SCAN_CHUNK));
    return removed;
  }
}
