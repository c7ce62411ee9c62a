import { authorize } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { conflict, notFound } from "../../kernel/app-error";
import type { FailedJob, FailedJobFilter } from "../../queue/failed-store";
import type { QueueMonitor } from "../../queue/monitor";
import { failedJobView, type Viewer } from "./job-views";
import { type MonitoringScope, restaurantIdOf, scopePartitions } from "./monitoring-scope";

export type FailedQuery = { queue?: string; name?: string; from?: number; to?: number };

/** What it needs from the monitoring service: the monitor and its name checks (400 on unknown names). */
type MonitorWithChecks = {
  monitor: QueueMonitor;
  assertQueue(queue: string | undefined): void;
  jobDefinition(name: string): unknown;
};

/** Failed jobs for the monitoring routes: listing, retry and deletion, within the caller's scope. */
export class FailedJobAdmin {
  constructor(private readonly monitoring: MonitorWithChecks) {}

  get #monitor() {
    return this.monitoring.monitor;
  }

  /** Checks the names first, so a bad filter changes nothing. */
  #filter(scope: MonitoringScope, query: FailedQuery): FailedJobFilter {
    this.monitoring.assertQueue(query.queue);
    if (query.name !== undefined) this.monitoring.jobDefinition(query.name);
    const filter: FailedJobFilter = { ...query };
    const partitions = scopePartitions(scope);
    if (partitions) filter.partitions = partitions;
    return filter;
  }

  /** Stacks show code paths: the HTTP routes pass the caller (admins see them); the ops CLI sees them. */
  async list(
    scope: MonitoringScope,
    query: FailedQuery,
    page: { limit: number; offset: number },
    viewer: Viewer = { admin: true },
  ) {
    const result = await this.#monitor.listFailed(this.#filter(scope, query), page);
    return { jobs: result.jobs.map((job) => failedJobView(job, viewer)), total: result.total, ...page };
  }

  /**
   * A failed job the principal may manage: another restaurant's job (or one that belongs to no
   * restaurant, for non-admins) is "not found"; a role too low to manage is a 403.
   */
  async #manageable(principal: Principal, jobId: string): Promise<FailedJob> {
    const job = await this.#monitor.failedJobs.store.get(jobId);
    if (!job) throw notFound("failed job");
    if (principal.isAdmin) return job;
    const restaurantId = restaurantIdOf(job.partition);
    if (restaurantId === null) throw notFound("failed job");
    authorize(principal, "queue:manage", restaurantId, "failed job");
    return job;
  }

  async retryOne(principal: Principal, jobId: string) {
    await this.#manageable(principal, jobId);
    const [retried] = await this.#monitor.retryFailed([jobId]);
    if (!retried) throw conflict("job_already_queued", "a copy of this job is already queued (unique lock held)");
    return { retried: 1, jobIds: [retried] };
  }

  async retryMatching(scope: MonitoringScope, query: FailedQuery) {
    return { retried: await this.#monitor.retryAllFailed(this.#filter(scope, query)) };
  }

  async deleteOne(principal: Principal, jobId: string) {
    await this.#manageable(principal, jobId);
    return { deleted: await this.#monitor.deleteFailed([jobId]) };
  }

  async clear(scope: MonitoringScope, query: FailedQuery) {
    return { deleted: await this.#monitor.clearFailed(this.#filter(scope, query)) };
  }
}
