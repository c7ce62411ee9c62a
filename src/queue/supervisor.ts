import { hostname } from "node:os";
import type { Subprocess } from "bun";
import type { RedisConnection } from "../redis/types";
import { type AutoscaleOptions, desiredProcesses, type QueueLoad } from "./autoscale";
import { readDepths } from "./inspect-depth";
import { type QueueKeys, queueKeys } from "./keys";
import { consoleLogger, type QueueLogger } from "./logger";
import { listWorkers, type SupervisedProcess, type WorkerInfo, writeHeartbeat } from "./worker-registry";
import { WorkerTimers } from "./worker-timers";

export type SupervisorOptions = Partial<AutoscaleOptions> & {
  redis: RedisConnection;
  prefix: string;
  shards?: number;
  /** The queues its workers serve, in priority order; their depth drives the pool. */
  queues: readonly string[];
  /** The command line of one worker process, given the supervisor's id (workers report it). */
  command(supervisorId: string): string[];
  env?: Record<string, string | undefined>;
  /** `auto` sizes the pool from the load; `off` keeps `minProcesses` running. */
  balance: "auto" | "off";
  /** Concurrency of each process, for the worker list. Default 10. */
  concurrency?: number;
  /** Least time between two changes of the pool (ms). Default 5 000. */
  cooldownMs?: number;
  /** How often the load is measured (ms). Default 1 000. */
  checkIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** First restart delay of a crashed process (ms), doubled while it keeps crashing at start. Default 500. */
  restartDelayMs?: number;
  logger?: QueueLogger;
  id?: string;
};

type Child = {
  process: Subprocess;
  startedAt: number;
  /** Asked to leave with SIGTERM: it drains (finishes its running jobs) and exits. */
  draining: boolean;
};

export type SupervisorState = "starting" | "running" | "draining" | "stopped";

/**
 * Keeps a pool of worker processes: sizes it from the queues' depth and wait (`balance: "auto"`)
 * within a cooldown and a largest step, drains the processes it no longer needs with SIGTERM
 * (never SIGKILL: a busy one finishes its jobs first), restarts those that crash, and reports
 * itself and its processes in the worker list.
 */
export class Supervisor {
  readonly id: string;
  readonly #o: SupervisorOptions & Required<AutoscaleOptions>;
  readonly #keys: QueueKeys;
  readonly #log: QueueLogger;
  readonly #timers: WorkerTimers;
  readonly #children = new Map<number, Child>();
  #state: SupervisorState = "starting";
  #startedAt = 0;
  #lastChangeAt = 0;
  #restarts = 0;
  #restartDelay: number;
  #lastLoad: QueueLoad = { waiting: 0, oldestWaitMs: 0 };

  constructor(options: SupervisorOptions) {
    const min = Math.max(1, options.minProcesses ?? 1);
    this.#o = {
      ...options,
      minProcesses: min,
      maxProcesses: Math.max(min, options.balance === "off" ? min : (options.maxProcesses ?? min)),
      maxShift: Math.max(1, options.maxShift ?? 1),
      jobsPerProcess: Math.max(1, options.jobsPerProcess ?? 500),
      targetWaitMs: options.targetWaitMs ?? 5_000,
    };
    this.id = options.id ?? `${hostname()}-${process.pid}-supervisor`;
    this.#keys = queueKeys(options.prefix, options.shards ?? 1);
    this.#log = options.logger ?? consoleLogger("info", { supervisor: this.id });
    this.#timers = new WorkerTimers(this.#log);
    this.#restartDelay = options.restartDelayMs ?? 500;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Processes that are running and not draining: the pool's size. */
  get size(): number {
    return [...this.#children.values()].filter((c) => !c.draining).length;
  }

  /** Every process it still waits for, draining ones included. */
  get processes(): SupervisedProcess[] {
    return [...this.#children.entries()].map(([pid, c]) => ({
      pid,
      startedAt: c.startedAt,
      state: c.draining ? "draining" : "running",
    }));
  }

  async start(): Promise<void> {
    this.#startedAt = Date.now();
    this.#state = "running";
    for (let i = 0; i < this.#o.minProcesses; i++) this.#spawn();
    this.#lastChangeAt = Date.now();
    await this.#heartbeat();
    this.#timers.every(
      "heartbeat",
      async () => {
        await this.#heartbeat();
        return this.#o.heartbeatIntervalMs ?? 15_000;
      },
      this.#o.heartbeatIntervalMs ?? 15_000,
    );
    if (this.#o.balance === "auto") {
      const interval = this.#o.checkIntervalMs ?? 1_000;
      this.#timers.every(
        "balance",
        async () => {
          await this.balance();
          return interval;
        },
        interval,
      );
    }
  }

  /** One balancing step: measure, decide, start or drain processes. Returns the new pool size. */
  async balance(): Promise<number> {
    if (this.#state !== "running") return this.size;
    this.#lastLoad = await this.#measure();
    // stop() began while Redis answered: start nothing more.
    if (this.#state !== "running") return this.size;
    const now = Date.now();
    // Within the cooldown: the last change has not shown its effect yet.
    if (now - this.#lastChangeAt < (this.#o.cooldownMs ?? 5_000)) return this.size;
    const current = this.size;
    const target = desiredProcesses(current, this.#lastLoad, this.#o);
    if (target === current) return current;
    this.#lastChangeAt = now;
    this.#log.info("scaling worker processes", { from: current, to: target, ...this.#lastLoad });
    if (target > current) {
      for (let i = current; i < target; i++) this.#spawn();
    } else {
      for (const pid of await this.#leastBusy(current - target)) this.#drainChild(pid);
    }
    return this.size;
  }

  /** Drains every process (SIGTERM), waits for them to exit, and reports itself stopped. */
  async stop(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "draining") return;
    this.#state = "draining";
    this.#timers.cancel();
    // Until none is left: a balancing step under way when stop() began may still have started one.
    while (this.#children.size > 0) {
      for (const pid of this.#children.keys()) this.#drainChild(pid);
      await Promise.all([...this.#children.values()].map((c) => c.process.exited));
    }
    this.#state = "stopped";
    await this.#heartbeat().catch(() => undefined);
  }

  #spawn(): void {
    const child = Bun.spawn(this.#o.command(this.id), {
      env: this.#o.env ?? process.env,
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
    });
    const entry: Child = { process: child, startedAt: Date.now(), draining: false };
    this.#children.set(child.pid, entry);
    child.exited.then((code) => this.#onExit(child.pid, entry, code));
  }

  #onExit(pid: number, child: Child, code: number | null): void {
    this.#children.delete(pid);
    // Asked to leave, or the supervisor is stopping: nothing to replace.
    if (child.draining || this.#state !== "running") return;
    this.#restarts += 1;
    const quick = Date.now() - child.startedAt < 5_000;
    const delay = quick ? this.#restartDelay : (this.#o.restartDelayMs ?? 500);
    this.#restartDelay = quick ? Math.min(30_000, this.#restartDelay * 2) : (this.#o.restartDelayMs ?? 500);
    this.#log.warn("worker process exited unexpectedly; restarting it", { pid, code, inMs: delay });
    setTimeout(() => {
      if (this.#state === "running") this.#spawn();
    }, delay);
  }

  #drainChild(pid: number): void {
    const child = this.#children.get(pid);
    if (!child || child.draining) return;
    child.draining = true;
    child.process.kill("SIGTERM");
  }

  /** The `count` processes with the fewest jobs in flight (from their heartbeats), to drain first. */
  async #leastBusy(count: number): Promise<number[]> {
    const running = [...this.#children.entries()].filter(([, c]) => !c.draining).map(([pid]) => pid);
    const workers = await listWorkers(this.#o.redis, this.#keys, { now: Date.now(), deadAfterMs: 60_000 }).catch(
      () => [],
    );
    const inFlight = new Map(workers.filter((w) => w.supervisor === this.id).map((w) => [w.pid, w.inFlight.length]));
    return running.sort((a, b) => (inFlight.get(a) ?? 0) - (inFlight.get(b) ?? 0)).slice(0, count);
  }

  async #measure(): Promise<QueueLoad> {
    const depths = await readDepths(this.#o.redis, this.#keys, this.#o.queues, Date.now());
    let waiting = 0;
    let oldestWaitMs = 0;
    for (const shards of depths.values()) {
      for (const d of shards) {
        if (d.paused) continue;
        waiting += d.waiting;
        oldestWaitMs = Math.max(oldestWaitMs, d.oldestWaitingMs ?? 0);
      }
    }
    return { waiting, oldestWaitMs };
  }

  async #heartbeat(): Promise<void> {
    const info: WorkerInfo = {
      id: this.id,
      role: "supervisor",
      pid: process.pid,
      host: hostname(),
      queues: [...this.#o.queues],
      shards: this.#keys.shards,
      concurrency: this.#o.concurrency ?? 10,
      mode: "strict",
      state: this.#state === "draining" ? "draining" : this.#state,
      startedAt: this.#startedAt,
      lastBeatAt: Date.now(),
      inFlight: [],
      processed: 0,
      failed: 0,
      retried: 0,
      released: 0,
      dropped: 0,
      processes: this.processes,
      restarts: this.#restarts,
      balance: this.#o.balance,
      waiting: this.#lastLoad.waiting,
    };
    await writeHeartbeat(this.#o.redis, this.#keys, info);
  }
}
