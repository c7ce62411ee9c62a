/** How a supervisor sizes its pool of worker processes. */
export type AutoscaleOptions = {
  minProcesses: number;
  maxProcesses: number;
  /** Most processes started or stopped in one step. */
  maxShift: number;
  /** Waiting jobs one process is expected to clear between two checks; more per process → scale up. */
  jobsPerProcess: number;
  /** A job waiting longer than this (ms) asks for one more process, whatever the depth. */
  targetWaitMs: number;
};

/** What the supervisor measured across every shard of its queues. */
export type QueueLoad = {
  /** Jobs in the streams not yet delivered to any worker. */
  waiting: number;
  /** Age of the oldest of them (ms); 0 when none waits. */
  oldestWaitMs: number;
};

/**
 * The pool size to move to from `current` (Horizon's `balance=auto`, by depth and wait): enough
 * processes for the backlog at `jobsPerProcess` each, one more while jobs wait too long, back to
 * the minimum when nothing waits; never more than `maxShift` away from `current`.
 */
export function desiredProcesses(current: number, load: QueueLoad, o: AutoscaleOptions): number {
  let target = load.waiting === 0 ? o.minProcesses : Math.ceil(load.waiting / o.jobsPerProcess);
  if (load.waiting > 0 && load.oldestWaitMs > o.targetWaitMs) target = Math.max(target, current + 1);
  target = Math.min(o.maxProcesses, Math.max(o.minProcesses, target));
  return Math.min(current + o.maxShift, Math.max(current - o.maxShift, target));
}
