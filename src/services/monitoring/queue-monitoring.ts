import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { restaurants } from "../../../db/schema";
import { AppError, notFound } from "../../kernel/app-error";
import { listPosConnectionStatuses } from "../../pos/circuit-breaker";
import type { JobSummary, LiveJobState } from "../../queue/inspect-jobs";
import type { AnyJobContract } from "../../queue/job";
import { MINUTE_MS } from "../../queue/metrics";
import type { QueueMonitor } from "../../queue/monitor";
import type { RedisConnection } from "../../redis/types";
import { FailedJobAdmin } from "./failed-job-admin";
import { jobDetailView, jobSummaryView, partitionOf } from "./job-views";
import { inScope, type MonitoringScope, restaurantIdOf, scopePartitions } from "./monitoring-scope";
import { type MetricsRange, metricsSeries, SeriesPlan, seriesTotals } from "./queue-metrics-series";

/**
 * Most live jobs one scoped listing reads. Restaurant-scoped counts come from listing the
 * restaurant's own jobs (the library scans at most 5000 entries per shard and queue), so past
 * these limits they are lower bounds; admins get exact depths from the streams.
 */
const SCOPED_SCAN = 10_000;
const LIST_CAP = 2000;

type Depth = { waiting: number; inFlight: number; delayed: number; oldestAvailableAt: number | null };

/** The monitoring routes' read side and pause/resume, every answer cut to the caller's scope. */
export class QueueMonitoringService {
  readonly failed = new FailedJobAdmin(this);

  constructor(
    readonly monitor: QueueMonitor,
    readonly jobs: readonly AnyJobContract[],
    private readonly deps: { db: Database; redis: RedisConnection; prefix: string; now?: () => number },
  ) {}

  #now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  assertQueue(queue: string | undefined): void {
    if (queue !== undefined && !this.monitor.queues.includes(queue)) {
      throw new AppError(400, "unknown_queue", `no queue named ${queue}; queues: ${this.monitor.queues.join(", ")}`);
    }
  }

  jobDefinition(name: string): AnyJobContract {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new AppError(400, "unknown_job", `no job named ${name}`);
    return job;
  }

  async overview(scope: MonitoringScope) {
    const now = this.#now();
    const plan = new SeriesPlan(scope, this.jobs);
    const [global, workers, scoped] = await Promise.all([
      this.monitor.overview(),
      this.monitor.workers(),
      scope.kind === "all" ? null : this.#scopedDepths(scope),
    ]);
    const partitions = scopePartitions(scope);
    const queues = await Promise.all(
      global.map(async (q) => {
        const names = plan.forQueue(q.queue);
        const [lastMinute, lastHour, failed] = await Promise.all([
          seriesTotals(this.monitor, names, now - MINUTE_MS, now),
          seriesTotals(this.monitor, names, now - 60 * MINUTE_MS, now),
          scoped ? this.monitor.failedJobs.store.count({ queue: q.queue, partitions }) : q.failed,
        ]);
        const own = scoped?.get(q.queue);
        const shards = own
          ? q.shards.map((s) => ({ shard: s.shard, ...(own.shards.get(s.shard) ?? emptyDepth()) }))
          : q.shards;
        const depth = own ?? { waiting: q.waiting, inFlight: q.inFlight, delayed: q.delayed };
        const oldestWaitingMs = own
          ? own.oldestAvailableAt === null
            ? null
            : Math.max(0, now - own.oldestAvailableAt)
          : q.oldestWaitingMs;
        return {
          queue: q.queue,
          paused: q.paused,
          waiting: depth.waiting,
          inFlight: depth.inFlight,
          delayed: depth.delayed,
          failed,
          oldestWaitingMs,
          longWait: oldestWaitingMs !== null && oldestWaitingMs > q.longWaitThresholdMs,
          processedLastMinute: lastMinute.processed,
          failedLastMinute: lastMinute.failed,
          processedLastHour: lastHour.processed,
          failedLastHour: lastHour.failed,
          workers: workers.filter((w) => w.alive && w.queues.includes(q.queue)).length,
          shards: shards.map((s) => ({ shard: s.shard, waiting: s.waiting, inFlight: s.inFlight, delayed: s.delayed })),
        };
      }),
    );
    const reasons = degradedReasons(queues, workers.filter((w) => w.dead).length);
    return {
      status: reasons.length > 0 ? ("degraded" as const) : ("ok" as const),
      reasons,
      scope: scope.kind === "all" ? ("all" as const) : scope.restaurantIds,
      queues,
      generatedAt: now,
    };
  }

  /** Depth per queue and shard counted from the scope's own jobs. */
  async #scopedDepths(scope: MonitoringScope) {
    const partitions = scopePartitions(scope);
    const states: LiveJobState[] = ["waiting", "in-flight", "delayed"];
    const lists = await Promise.all(
      states.map((state) => this.monitor.jobs({ state, partitions, limit: SCOPED_SCAN })),
    );
    const out = new Map<string, Depth & { shards: Map<number, Omit<Depth, "oldestAvailableAt">> }>();
    for (const queue of this.monitor.queues)
      out.set(queue, { ...emptyDepth(), oldestAvailableAt: null, shards: new Map() });
    const field = { waiting: "waiting", "in-flight": "inFlight", delayed: "delayed" } as const;
    lists.flat().forEach((job: JobSummary) => {
      const q = out.get(job.queue);
      if (!q) return;
      const key = field[job.state];
      q[key] += 1;
      const shard = q.shards.get(job.shard) ?? emptyDepth();
      shard[key] += 1;
      q.shards.set(job.shard, shard);
      if (job.state === "waiting")
        q.oldestAvailableAt = Math.min(q.oldestAvailableAt ?? job.availableAt, job.availableAt);
    });
    return out;
  }

  metrics(scope: MonitoringScope, query: { range: MetricsRange; queue?: string; job?: string }) {
    this.assertQueue(query.queue);
    const only = query.job === undefined ? undefined : this.jobDefinition(query.job);
    const queues = query.queue ? [query.queue] : [...this.monitor.queues];
    const jobs = this.jobs.filter((j) => (only ? j === only : true) && (!query.queue || j.queue === query.queue));
    return metricsSeries(this.monitor, new SeriesPlan(scope, this.jobs), { queues, jobs }, query.range, this.#now());
  }

  async listJobs(
    scope: MonitoringScope,
    query: { state: LiveJobState; queue?: string; name?: string; limit: number; offset: number },
  ) {
    this.assertQueue(query.queue);
    if (query.name !== undefined) this.jobDefinition(query.name);
    const fetched = await this.monitor.jobs({
      state: query.state,
      queue: query.queue,
      partitions: scopePartitions(scope),
      limit: LIST_CAP,
    });
    const matching = query.name === undefined ? fetched : fetched.filter((j) => j.name === query.name);
    const end = query.offset + query.limit;
    return {
      jobs: matching.slice(query.offset, end).map(jobSummaryView),
      limit: query.limit,
      offset: query.offset,
      hasMore: matching.length > end,
    };
  }

  /** A job wherever it is; another restaurant's job is "not found". */
  async job(scope: MonitoringScope, jobId: string) {
    const found = await this.monitor.job(jobId);
    if (!found || !inScope(scope, partitionOf(found))) throw notFound("job");
    return jobDetailView(found);
  }

  async pending(scope: MonitoringScope, query: { queue?: string; limit: number }) {
    this.assertQueue(query.queue);
    const queues = query.queue ? [query.queue] : this.monitor.queues;
    // A scoped view filters after reading, so it reads further than it shows.
    const read = scope.kind === "all" ? query.limit : SCOPED_SCAN;
    const lists = await Promise.all(queues.map((queue) => this.monitor.pending(queue, { limit: read })));
    const entries = lists
      .flat()
      .filter((e) => inScope(scope, e.partition))
      .slice(0, query.limit)
      .map(({ partition, ...e }) => ({ ...e, restaurantId: restaurantIdOf(partition) }));
    return { entries };
  }

  async workers(scope: MonitoringScope) {
    const now = this.#now();
    const [workers, ownInFlight] = await Promise.all([
      this.monitor.workers(),
      scope.kind === "all"
        ? null
        : this.monitor.jobs({ state: "in-flight", partitions: scopePartitions(scope), limit: SCOPED_SCAN }),
    ]);
    const visible = ownInFlight ? new Set(ownInFlight.map((j) => j.id)) : null;
    return {
      workers: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        state: w.state,
        alive: w.alive,
        dead: w.dead,
        heartbeatAgeMs: Math.max(0, now - w.lastBeatAt),
        queues: w.queues,
        concurrency: w.concurrency,
        startedAt: w.startedAt,
        inFlight: w.inFlight
          .filter((j) => !visible || visible.has(j.jobId))
          .map((j) => ({ jobId: j.jobId, name: j.name, queue: j.queue, startedAt: j.startedAt })),
        processed: visible ? null : w.processed,
        failed: visible ? null : w.failed,
      })),
    };
  }

  /** Pausing stops a queue for every restaurant, so the route allows it to admins only. */
  async setPaused(queue: string, paused: boolean) {
    if (!this.monitor.queues.includes(queue)) throw notFound("queue");
    await (paused ? this.monitor.pause(queue) : this.monitor.resume(queue));
    return { queue, paused };
  }

  async posConnections(restaurantId: number) {
    const found = await this.deps.db.query.restaurants.findFirst({
      columns: { id: true },
      where: eq(restaurants.id, restaurantId),
    });
    if (!found) throw notFound("restaurant");
    const statuses = await listPosConnectionStatuses(this.deps.redis, this.deps.prefix, restaurantId);
    return { restaurantId, connections: statuses.map(({ restaurantId: _id, ...s }) => s) };
  }
}

function emptyDepth() {
  return { waiting: 0, inFlight: 0, delayed: 0 };
}

/** Why the queue is degraded, most urgent first: jobs no live worker will take, then the rest. */
function degradedReasons(
  queues: ReadonlyArray<{
    queue: string;
    waiting: number;
    workers: number;
    paused: boolean;
    longWait: boolean;
    oldestWaitingMs: number | null;
  }>,
  deadWorkers: number,
): string[] {
  const reasons: string[] = [];
  for (const q of queues) {
    if (q.waiting > 0 && q.workers === 0) reasons.push(`no live worker serves ${q.queue} (${q.waiting} waiting)`);
  }
  for (const q of queues) if (q.paused) reasons.push(`${q.queue} is paused`);
  for (const q of queues) {
    if (q.longWait)
      reasons.push(`${q.queue}: the oldest job has waited ${Math.round((q.oldestWaitingMs ?? 0) / 1000)} s`);
  }
  if (deadWorkers > 0) reasons.push(`${deadWorkers} worker(s) missed their heartbeats`);
  return reasons;
}
