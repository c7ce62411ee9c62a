import { hostname } from "node:os";
import type { RedisConnection } from "../redis/types";
import { AckBatcher } from "./ack-batcher";
import { type AttemptDeps, abortAttempt, type RunningAttempt, runAttempt } from "./attempt";
import { AttemptDeadlines } from "./attempt-deadlines";
import { BatchSettler } from "./batch-settler";
import { type Clock, systemClock } from "./clock";
import { checkEvictionPolicy } from "./eviction-check";
import type { FailedJobStore } from "./failed-store";
import type { AnyJobDefinition } from "./job";
import type { QueueKeys } from "./keys";
import { consoleLogger, type QueueLogger } from "./logger";
import { type AttemptOutcome, MetricsRecorder } from "./metrics";
import { Queue } from "./queue";
import { RedisFailedJobStore } from "./redis-failed-store";
import { spinUntilSettled } from "./reply-spin";
import { QueueScripts } from "./scripts";
import { type Delivery, StallRecovery } from "./stall-recovery";
import { readOrder, StreamReader } from "./stream-reader";
import { forgetSuspectStarts, isSuspect } from "./suspect-starts";
import { timeLimit } from "./time-limit";
import {
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  stallThresholdMs,
  type WorkerOptions,
} from "./worker-options";
import type { WorkerInfo, WorkerState } from "./worker-registry";
import { writeHeartbeat } from "./worker-registry";
import { WorkerTimers } from "./worker-timers";

type Counts = Record<AttemptOutcome, number>;

/**
 * From this concurrency up, a shard is read by two lanes (see #secondLane): each read takes at
 * most half the slots, and a second read is under way while the first one's jobs run.
 */
const TWO_LANES_FROM = 8;

/** Longest wait for Redis per release step of a drain; a down Redis must not hold up a shutdown. */
const DRAIN_STEP_TIMEOUT_MS = 2_000;

/**
 * Consumes the queue's streams: one blocking reader per shard, up to `concurrency` handlers,
 * timers for promotion, stall recovery, heartbeats and metrics. Its life is an explicit state:
 * starting → running → draining → stopped.
 */
export class Worker {
  readonly id: string;
  readonly #supervisor: string | undefined;
  readonly #o: ResolvedWorkerOptions;
  readonly #redis: RedisConnection;
  readonly #keys: QueueKeys;
  readonly #queue: Queue;
  readonly #scripts: QueueScripts;
  readonly #clock: Clock;
  readonly #log: QueueLogger;
  readonly #store: FailedJobStore;
  readonly #metrics: MetricsRecorder;
  readonly #acks: AckBatcher;
  readonly #settler: BatchSettler;
  readonly #stall: StallRecovery;
  readonly #jobs: Map<string, AnyJobDefinition>;
  /** What every attempt is given: built once, not per job. */
  readonly #attemptDeps: AttemptDeps;
  readonly #priority: Map<string, number>;
  #state: WorkerState = "starting";
  #startedAt = 0;
  readonly #counts: Counts = { processed: 0, failed: 0, retried: 0, released: 0, dropped: 0 };
  #buffer: Delivery[] = [];
  readonly #running = new Map<string, RunningAttempt>();
  #capacityWaiters: Array<() => void> = [];
  readonly #timers: WorkerTimers;
  #readers: StreamReader[] = [];
  /** Hand-backs of buffered entries whose queue was paused, still in flight. */
  readonly #handingBack = new Set<Promise<void>>();
  #loops: Promise<void>[] = [];
  /** Per shard, the entries each lane's read under way asked for (0: no read under way). */
  readonly #asked: Array<[number, number]> = [];
  /** Per shard, wakes the parked second lane: the first lane read a full batch, so more may wait. */
  readonly #laneWakers: Array<(() => void) | null> = [];
  #paused: Set<string>[] = [];
  /** Per shard, the open queues as last computed, with the paused set they were computed from. */
  readonly #open: Array<{ paused: Set<string>; queues: string[] } | undefined> = [];
  #busySinceTick = false;
  /** A suspect (see suspect-starts.ts) is running: it runs alone, so nothing else starts or is read. */
  #suspectRunning = false;
  readonly #longWaitLoggedAt = new Map<string, number>();
  #stopping: Promise<void> | null = null;
  /** Per shard, how long its last busy read that took entries waited for the reply (µs); see #spinFor. */
  readonly #lastReadUs: number[] = [];
  #spunReads = 0;
  /** Ends a spin once a handler runs (another shard's read started one). */
  readonly #nothingRuns = () => this.#running.size === 0;
  /** Counts a spin that turned the loop at least once. */
  readonly #countSpin = (turns: number) => {
    if (turns > 0) this.#spunReads += 1;
  };

  constructor(options: WorkerOptions) {
    this.#o = resolveWorkerOptions(options);
    this.#redis = options.redis;
    this.#supervisor = options.supervisor;
    this.#clock = options.clock ?? systemClock;
    this.id = options.id ?? `${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.#log = options.logger ?? consoleLogger("info", { worker: this.id });
    this.#timers = new WorkerTimers(this.#log);
    this.#queue = new Queue({ redis: this.#redis, prefix: this.#o.prefix, shards: this.#o.shards, clock: this.#clock });
    this.#keys = this.#queue.keys;
    this.#scripts = new QueueScripts(this.#redis);
    this.#store = options.failedStore ?? new RedisFailedJobStore(this.#redis, this.#keys);
    this.#metrics = new MetricsRecorder(this.#keys, this.#o.metricsRetentionMs);
    this.#settler = new BatchSettler(this.#redis, this.#keys, this.#scripts, this.#clock, this.#log);
    this.#acks = new AckBatcher(this.#scripts, this.#keys, this.#keys.group, this.#log, (shard) =>
      this.#settler.request(shard),
    );
    this.#stall = new StallRecovery(this.#redis, this.#scripts, this.#keys, this.id);
    this.#jobs = new Map(this.#o.jobs.map((j) => [j.name, j]));
    this.#priority = new Map(this.#o.queues.map((q, i) => [q, i]));
    this.#attemptDeps = {
      redis: this.#redis,
      keys: this.#keys,
      scripts: this.#scripts,
      consumer: this.id,
      clock: this.#clock,
      store: this.#store,
      metrics: this.#metrics,
      deadlines: new AttemptDeadlines(),
      acks: this.#acks,
      batches: this.#queue.batches,
      settler: this.#settler,
      log: this.#log,
      jobs: this.#jobs,
      maxDeliveries: this.#o.maxDeliveries,
      onOutcome: (outcome) => {
        this.#counts[outcome] += 1;
      },
    };
    for (let shard = 0; shard < this.#o.shards; shard++) {
      this.#paused.push(new Set());
      this.#asked.push([0, 0]);
      this.#laneWakers.push(null);
    }
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** Reads whose reply this worker busy-polled for, at least one turn of its event loop (ADR 0035). */
  get spunReads(): number {
    return this.#spunReads;
  }

  /** Creates consumer groups, opens one reader connection per shard and starts consuming. */
  async start(): Promise<void> {
    if (this.#startedAt !== 0) throw new Error("a worker starts once");
    this.#startedAt = this.#clock.now();
    await checkEvictionPolicy(this.#redis, this.#log);
    await this.#queue.ensureGroups(this.#o.queues);
    for (let shard = 0; shard < this.#o.shards; shard++) {
      const connection = await this.#redis.duplicate();
      this.#readers.push(this.#reader(connection, shard));
    }
    this.#state = "running";
    await this.#heartbeat();
    // The first promotion also loads the paused queues, which the readers need before their first read.
    const firstTicks = await Promise.all(this.#readers.map((_, shard) => this.#promote(shard)));
    for (let shard = 0; shard < this.#o.shards; shard++) {
      this.#timers.every("promotion", () => this.#promote(shard), firstTicks[shard]!);
      this.#loops.push(this.#readLoop(shard, this.#readers[shard]!));
      if (this.#o.concurrency >= TWO_LANES_FROM) this.#loops.push(this.#secondLane(shard, this.#readers[shard]!));
    }
    this.#timers.every("stall recovery", () => this.#recoverStalled(), this.#o.stallCheckIntervalMs);
    // Batch news a dead worker left in an outbox is settled by whichever worker comes next.
    this.#timers.every(
      "batch settlement",
      async () => {
        for (let shard = 0; shard < this.#o.shards; shard++) this.#settler.request(shard);
        await this.#settler.flush();
        return this.#o.stallCheckIntervalMs;
      },
      0,
    );
    this.#beatEvery();
    this.#timers.every(
      "metrics flush",
      async () => {
        await this.#metrics.flush(this.#redis);
        return this.#o.metricsFlushIntervalMs;
      },
      this.#o.metricsFlushIntervalMs,
    );
  }

  /**
   * One bounded pass, for hosts without long-lived processes (a Workers Cron Trigger over REST):
   * promotes due jobs, reclaims stalled and dead consumers' entries, then reads without blocking
   * and runs what it read on the same attempt and ack path as `start()`, until nothing is waiting
   * or running, or `budgetMs` has passed. Then it drains like `stop()`: running handlers get up to
   * the drain timeout, and whatever did not finish stays pending for the next pass. Never blocks
   * and never opens a second connection. Resolves with what it did.
   */
  async drainOnce(options: { budgetMs: number }): Promise<WorkerInfo> {
    if (this.#startedAt !== 0) throw new Error("a worker starts once");
    this.#startedAt = this.#clock.now();
    const deadline = this.#startedAt + options.budgetMs;
    await this.#queue.ensureGroups(this.#o.queues);
    const readers = this.#paused.map((_, shard) => this.#reader(this.#redis, shard));
    this.#state = "running";
    try {
      await this.#heartbeat();
      this.#beatEvery();
      await Promise.all(readers.map((_, shard) => this.#promote(shard)));
      await this.#recoverStalled();
      while (this.#state === "running" && this.#clock.now() < deadline) {
        let read = 0;
        for (const [shard, reader] of readers.entries()) {
          const free = this.#free();
          // Every slot is taken: read again once a handler finishes.
          if (free <= 0) break;
          const queues = this.#readOrder(shard);
          if (queues.length === 0) continue;
          const deliveries = await reader.readWaiting(queues, free);
          read += deliveries.length;
          this.#accept(deliveries);
        }
        // Nothing waiting and nothing running: the queues are empty for now.
        if (read === 0 && this.#running.size === 0 && this.#buffer.length === 0) break;
        await this.#untilCapacity(deadline);
        // A finished handler may have dispatched or released jobs that are due now.
        if (this.#clock.now() < deadline) await Promise.all(readers.map((_, shard) => this.#promote(shard)));
      }
    } finally {
      await this.stop();
    }
    return this.info();
  }

  /**
   * Drains: stops reading, hands unstarted entries back, waits for running handlers up to the
   * drain timeout, and leaves whatever did not finish pending for another worker.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#drain();
    return this.#stopping;
  }

  /** What the heartbeat reports. */
  info(): WorkerInfo {
    return {
      id: this.id,
      ...(this.#supervisor ? { supervisor: this.#supervisor } : {}),
      pid: process.pid,
      host: hostname(),
      queues: [...this.#o.queues],
      shards: this.#o.shards,
      concurrency: this.#o.concurrency,
      mode: this.#o.mode,
      state: this.#state,
      startedAt: this.#startedAt,
      lastBeatAt: this.#clock.now(),
      inFlight: [...this.#running.values()].slice(0, 100).map((r) => ({
        jobId: r.delivery.envelope?.id ?? r.delivery.entryId,
        name: r.delivery.envelope?.name ?? "(unreadable)",
        queue: r.delivery.queue,
        shard: r.delivery.shard,
        startedAt: r.startedAt,
      })),
      ...this.#counts,
    };
  }

  async #drain(): Promise<void> {
    if (this.#state === "starting") {
      this.#state = "stopped";
      return;
    }
    this.#state = "draining";
    this.#log.info("worker draining", { running: this.#running.size, buffered: this.#buffer.length });
    this.#timers.cancel();
    for (const wake of this.#capacityWaiters) wake();
    for (const wake of this.#laneWakers) wake?.();
    // Closing a reader interrupts its blocking read; the loops then see the state and return.
    for (const reader of this.#readers) reader.close();
    await Promise.all(this.#loops);
    await this.#bestEffort("hand back entries of paused queues", () => Promise.all(this.#handingBack));
    const buffered = this.#buffer.length;
    if (!(await this.#bestEffort("hand back unstarted entries", () => this.#requeueBuffer()))) {
      this.#log.warn("unstarted entries stay pending for another worker", { entries: buffered });
    }
    const deadline = Date.now() + this.#o.drainTimeoutMs;
    while (this.#running.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#capacityWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    for (const running of this.#running.values()) {
      running.abandoned = true;
      abortAttempt(running, new Error("worker stopped before the job finished"));
    }
    const abandoned = this.#running.size;
    // Failed acks are logged by the batcher; their entries stay pending and run again elsewhere.
    await this.#bestEffort("flush acks", () => this.#acks.flush());
    await this.#bestEffort("settle batches", () => this.#settler.flush());
    await this.#bestEffort("flush metrics", () => this.#metrics.flush(this.#redis));
    this.#state = "stopped";
    await this.#bestEffort("report the stopped state", () => this.#heartbeat());
    if (abandoned === 0) {
      await this.#bestEffort("remove this consumer from the groups", () =>
        this.#stall.removeConsumer(this.id, this.#o.shards, this.#o.queues),
      );
    }
    this.#log.info("worker stopped", { ...this.#counts, abandoned });
  }

  /**
   * One release step of the drain, bounded so a dead or stopped Redis cannot hold up or fail the
   * shutdown: a step that fails or times out is logged, and what it would have released stays in
   * Redis for stall recovery. True when the step completed.
   */
  async #bestEffort(step: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await timeLimit(run(), DRAIN_STEP_TIMEOUT_MS, () => new Error(`no answer within ${DRAIN_STEP_TIMEOUT_MS} ms`));
      return true;
    } catch (error) {
      this.#log.warn(`worker stop: could not ${step}`, { error: (error as Error).message });
      return false;
    }
  }

  #free(): number {
    // A suspect waits for the running jobs to finish, then runs alone: take nothing new meanwhile,
    // so if it kills this process no other job goes down with it.
    if (this.#suspectRunning || this.#buffer.some(isSuspect)) return 0;
    return this.#o.concurrency - this.#running.size - this.#buffer.length;
  }

  /**
   * Resolves with the free slots once there are any. With `shard`, that shard's reader waits here
   * and takes the acks of the jobs that finish meanwhile with its next read; if a wake-up brings no
   * free slot, the acks go out on their own instead of waiting for the read.
   */
  async #waitForCapacity(shard?: number): Promise<number> {
    if (shard !== undefined && this.#free() <= 0) this.#acks.holdFor(shard);
    while (this.#state === "running" && this.#free() <= 0) {
      await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
      if (shard !== undefined && this.#free() <= 0) this.#acks.release(shard, true);
    }
    return this.#free();
  }

  /** Resolves when a handler finishes, or at `deadline`. */
  #untilCapacity(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, deadline - this.#clock.now()));
      this.#capacityWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #beatEvery(): void {
    this.#timers.every(
      "heartbeat",
      async () => {
        await this.#heartbeat();
        await this.#keepBufferedClaimed();
        return this.#o.heartbeatIntervalMs;
      },
      this.#o.heartbeatIntervalMs,
    );
  }

  #notifyCapacity(): void {
    const waiters = this.#capacityWaiters;
    this.#capacityWaiters = [];
    for (const wake of waiters) wake();
  }

  async #readLoop(shard: number, reader: StreamReader): Promise<void> {
    let idle = false;
    let failingSince = 0;
    while (this.#state === "running") {
      // A busy reader takes the acks of the jobs finishing meanwhile (an idle one blocks: they go alone).
      const free = await this.#waitForCapacity(idle ? undefined : shard);
      // Draining: no more reads (stop() flushes the acks).
      if (this.#state !== "running") break;
      const queues = this.#readOrder(shard);
      if (queues.length === 0) {
        this.#acks.release(shard, true);
        await this.#timers.sleep(Math.min(this.#o.promoteIntervalMs, 1000));
        continue;
      }
      this.#acks.release(shard, false);
      // Finished jobs' acks ride on a busy read: one round trip per job at concurrency 1, not two.
      const acks = idle ? [] : this.#acks.take(shard);
      const asked = this.#asked[shard]!;
      // With two lanes, a read takes at most half the slots, and none the other lane's read asked for.
      const count = this.#twoLanes ? Math.min(free - asked[1], this.#laneShare) : free;
      if (count <= 0) {
        this.#acks.restore(acks);
        await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
        continue;
      }
      asked[0] = count;
      try {
        const sentAt = performance.now();
        const reading = reader.read(queues, count, idle, this.#o.blockMs, acks);
        if (this.#spinFor(shard, idle)) {
          spinUntilSettled(reading, this.#o.pollSpinUs, { keepGoing: this.#nothingRuns, onEnd: this.#countSpin });
        }
        const deliveries = await reading;
        if (!idle && deliveries.length > 0) this.#lastReadUs[shard] = (performance.now() - sentAt) * 1000;
        asked[0] = 0;
        // The second lane may be waiting for the slots this read asked for.
        if (this.#twoLanes) this.#notifyCapacity();
        if (failingSince > 0) {
          this.#log.info("reading again", { shard, downMs: Date.now() - failingSince });
          failingSince = 0;
        }
        idle = deliveries.length === 0;
        this.#accept(deliveries);
        // A full batch: more may be waiting, and the second lane reads it while these run.
        if (this.#twoLanes && deliveries.length === count) {
          const wake = this.#laneWakers[shard];
          this.#laneWakers[shard] = null;
          wake?.();
        }
      } catch (error) {
        asked[0] = 0;
        // The acks may or may not have been applied: send them again (acking twice is harmless).
        this.#acks.restore(acks);
        // stop() closed the reader under a blocking read.
        if (this.#state !== "running") break;
        const message = (error as Error).message;
        if (message.includes("NOGROUP")) {
          // Redis lost the groups (restarted without its data): create them again.
          await this.#queue.ensureGroups(this.#o.queues).catch(() => this.#timers.sleep(1000));
          continue;
        }
        // Logged once per outage; the connection replaces itself and the next read succeeds.
        if (failingSince === 0) {
          failingSince = Date.now();
          this.#log.error("read failed, retrying every second", { shard, error: message });
        }
        await this.#timers.sleep(1000);
      }
    }
  }

  /**
   * Whether to busy-poll for a read's reply instead of sleeping (ADR 0035): only for a busy read
   * (an idle one blocks for long), only while no handler runs (the process has nothing else to
   * do: the shape of a worker running one job at a time), and only while replies come back
   * within the spin window (a distant Redis would only burn the CPU).
   */
  #spinFor(shard: number, idle: boolean): boolean {
    return (
      !idle &&
      this.#o.pollSpinUs > 0 &&
      this.#running.size === 0 &&
      (this.#lastReadUs[shard] ?? 0) <= this.#o.pollSpinUs
    );
  }

  get #twoLanes(): boolean {
    return this.#o.concurrency >= TWO_LANES_FROM;
  }

  get #laneShare(): number {
    return Math.ceil(this.#o.concurrency / 2);
  }

  /**
   * A shard's second reader, for busy times only: while the first lane's jobs run, it reads the next
   * ones for the slots still free, so Redis runs a read while this process runs jobs instead of
   * the two taking turns. Every read takes only entries that free slots wait for (no read-ahead:
   * strict priority stays exact, as with one lane). It parks whenever a read comes back short, the
   * reader is in a blocking wait, or anything fails, and the first lane wakes it again when it
   * reads a full batch. It never blocks, so an idle worker costs no more round trips than with one lane.
   */
  async #secondLane(shard: number, reader: StreamReader): Promise<void> {
    const asked = this.#asked[shard]!;
    while (this.#state === "running") {
      await new Promise<void>((resolve) => {
        this.#laneWakers[shard] = resolve;
      });
      while (this.#state === "running") {
        const count = Math.min(this.#free() - asked[0], this.#laneShare);
        if (count <= 0) {
          await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
          continue;
        }
        // A script sent behind the first lane's blocking XREAD would wait for it: the queues are
        // quiet anyway.
        if (reader.blocking) break;
        const queues = this.#readOrder(shard);
        if (queues.length === 0) break;
        const acks = this.#acks.take(shard);
        asked[1] = count;
        let deliveries: Delivery[];
        try {
          deliveries = await reader.readWaiting(queues, count, acks);
        } catch {
          // The first lane reports and retries failures; the acks go again with a later read.
          this.#acks.restore(acks);
          break;
        } finally {
          asked[1] = 0;
          // The first lane may be waiting for the slots this read asked for.
          this.#notifyCapacity();
        }
        this.#accept(deliveries);
        if (deliveries.length < count) break;
      }
    }
  }

  /** The shard's open queues in the order to read them (the open list is kept until the paused set changes). */
  #readOrder(shard: number): readonly string[] {
    const paused = this.#paused[shard]!;
    let open = this.#open[shard];
    if (!open || open.paused !== paused) {
      open = { paused, queues: this.#o.queues.filter((q) => !paused.has(q)) };
      this.#open[shard] = open;
    }
    return this.#o.mode === "strict" ? open.queues : readOrder(open.queues, this.#o.mode, this.#o.weights);
  }

  #accept(deliveries: Delivery[]): void {
    if (deliveries.length === 0) return;
    this.#busySinceTick = true;
    const now = this.#clock.now();
    for (const d of deliveries) {
      const waited = d.envelope ? now - d.envelope.availableAt : 0;
      if (waited > this.#o.longWaitMs && now - (this.#longWaitLoggedAt.get(d.queue) ?? 0) > 60_000) {
        this.#longWaitLoggedAt.set(d.queue, now);
        this.#log.warn("long wait: a job waited past the threshold before starting", {
          queue: d.queue,
          waitedMs: waited,
          thresholdMs: this.#o.longWaitMs,
        });
      }
    }
    if (this.#o.mode === "strict") {
      // One read's deliveries come highest queue first: only a mix needs sorting.
      const sorted = this.#buffer.length === 0 && this.#inPriorityOrder(deliveries);
      this.#buffer.push(...deliveries);
      if (!sorted) {
        const rank = (d: Delivery) => this.#priority.get(d.queue) ?? 0;
        this.#buffer.sort((a, b) => rank(a) - rank(b));
      }
    } else {
      this.#buffer.push(...deliveries);
    }
    this.#pump();
  }

  #inPriorityOrder(deliveries: readonly Delivery[]): boolean {
    let last = -1;
    for (const d of deliveries) {
      const rank = this.#priority.get(d.queue) ?? 0;
      if (rank < last) return false;
      last = rank;
    }
    return true;
  }

  #pump(): void {
    while (this.#state === "running" && this.#running.size < this.#o.concurrency && this.#buffer.length > 0) {
      // A suspect runs alone.
      if (this.#suspectRunning) return;
      const innocent = this.#buffer.findIndex((d) => !isSuspect(d));
      if (innocent >= 0) {
        this.#start(this.#buffer.splice(innocent, 1)[0]!);
        continue;
      }
      // Only suspects left: the next one starts once nothing else runs.
      if (this.#running.size > 0) return;
      this.#suspectRunning = true;
      this.#start(this.#buffer.shift()!);
    }
  }

  #start(delivery: Delivery): void {
    const key = `${delivery.shard}|${delivery.queue}|${delivery.entryId}`;
    const running: RunningAttempt = { delivery, startedAt: this.#clock.now(), abandoned: false };
    this.#running.set(key, running);
    const suspect = isSuspect(delivery);
    runAttempt(this.#attemptDeps, running)
      .then(() => {
        // Only a settled suspect is forgotten; an abandoned one's start still counts. A record that
        // cannot be deleted now expires by itself.
        if (suspect && !running.abandoned) {
          forgetSuspectStarts(this.#redis, this.#keys.shard(delivery.shard), delivery.entryId).catch(() => undefined);
        }
      })
      .catch((error: unknown) => {
        // The entry stays pending; stall recovery hands it out again.
        this.#log.error("could not settle a job", { entryId: delivery.entryId, error: (error as Error).message });
      })
      .finally(() => {
        this.#running.delete(key);
        if (suspect) this.#suspectRunning = false;
        this.#pump();
        this.#notifyCapacity();
      });
  }

  async #promote(shard: number): Promise<number> {
    const keys = this.#keys.shard(shard);
    const now = this.#clock.now();
    const [result, paused] = await Promise.all([
      this.#scripts.promoteDueJobs(keys, now, 1000),
      this.#redis.send("SMEMBERS", [keys.paused]),
    ]);
    this.#learnPaused(shard, Array.isArray(paused) ? paused.map(String) : []);
    // A full batch means more are due: go again at once.
    if (result.moved >= 1000) return 0;
    // Entries waiting in the buffer keep the paused set fresh: one of a queue paused meanwhile must not start.
    const busy = this.#busySinceTick || result.moved > 0 || this.#buffer.length > 0;
    this.#busySinceTick = false;
    // Busy workers promote every second; idle ones back off to the configured interval.
    let next = busy ? Math.min(1000, this.#o.promoteIntervalMs) : this.#o.promoteIntervalMs;
    if (result.nextDueAt !== null) next = Math.min(next, Math.max(5, result.nextDueAt - now));
    return next;
  }

  async #recoverStalled(): Promise<number> {
    const { claimed, deadWorkers } = await this.#stall.sweep({
      shards: this.#o.shards,
      queues: this.#o.queues,
      now: this.#clock.now(),
      deadAfterMs: this.#o.deadAfterMs,
      stalledAfterMs: (queue) => stallThresholdMs(this.#o.jobs, queue, this.#o.stallGraceMs),
      room: this.#free(),
    });
    if (claimed.length > 0) {
      this.#log.warn("reclaimed stalled entries", { count: claimed.length, deadWorkers });
      this.#accept(claimed);
    }
    return this.#o.stallCheckIntervalMs;
  }

  async #requeueBuffer(): Promise<void> {
    const buffered = this.#buffer;
    this.#buffer = [];
    await this.#requeue(buffered);
  }

  /** Hands entries this worker read but never started back to their streams' tails. */
  async #requeue(deliveries: readonly Delivery[]): Promise<void> {
    const groups = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const id = `${d.shard}|${d.queue}`;
      groups.set(id, [...(groups.get(id) ?? []), d]);
    }
    for (const list of groups.values()) {
      const { shard, queue } = list[0]!;
      await this.#scripts.requeueJobs(
        this.#keys.shard(shard),
        queue,
        this.#keys.group,
        this.id,
        list.map((d) => ({ entryId: d.entryId, jobId: d.envelope?.id ?? "" })),
      );
    }
  }

  #reader(connection: RedisConnection, shard: number): StreamReader {
    return new StreamReader(connection, this.#keys.shard(shard), this.#keys.group, this.id, this.#o.queues, (paused) =>
      this.#learnPaused(shard, paused),
    );
  }

  /**
   * Takes a shard's paused queues as a read or a promotion tick reported them. Entries of a
   * newly paused queue that wait in the buffer must not start: they go back to their stream,
   * where the next reader finds them once the queue resumes.
   */
  #learnPaused(shard: number, paused: readonly string[]): void {
    // Nothing paused before or now (every read reports it): nothing to do.
    if (paused.length === 0 && this.#paused[shard]!.size === 0) return;
    const now = new Set(paused);
    this.#paused[shard] = now;
    const held = this.#buffer.filter((d) => d.shard === shard && now.has(d.queue));
    if (held.length === 0) return;
    this.#buffer = this.#buffer.filter((d) => !held.includes(d));
    const handBack = this.#requeue(held)
      .then(() => this.#log.info("handed back buffered entries of a paused queue", { shard, entries: held.length }))
      .catch((error: unknown) => {
        // They stay pending on this consumer; stall recovery hands them out once the queue resumes.
        this.#log.warn("could not hand back buffered entries of a paused queue", {
          shard,
          entries: held.length,
          error: (error as Error).message,
        });
      })
      .finally(() => this.#handingBack.delete(handBack));
    this.#handingBack.add(handBack);
    // The buffer shrank: a read waiting for room may go on.
    this.#notifyCapacity();
  }

  async #heartbeat(): Promise<void> {
    await writeHeartbeat(this.#redis, this.#keys, this.info());
  }

  /**
   * Entries read but still waiting for a slot age in the PEL like abandoned ones. Resetting their
   * idle time on every heartbeat keeps other workers from reclaiming them (the stall threshold is
   * far above the heartbeat interval); any already reclaimed are dropped from the buffer.
   */
  async #keepBufferedClaimed(): Promise<void> {
    const groups = new Map<string, Delivery[]>();
    for (const d of this.#buffer) {
      const id = `${d.shard}|${d.queue}`;
      groups.set(id, [...(groups.get(id) ?? []), d]);
    }
    for (const list of groups.values()) {
      const { shard, queue } = list[0]!;
      const owned = new Set(
        await this.#scripts.extendClaim(
          this.#keys.shard(shard),
          queue,
          this.#keys.group,
          this.id,
          list.map((d) => d.entryId),
        ),
      );
      const lost = new Set(list.filter((d) => !owned.has(d.entryId)));
      if (lost.size > 0) this.#buffer = this.#buffer.filter((d) => !lost.has(d));
    }
  }
}
