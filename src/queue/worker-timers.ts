import type { QueueLogger } from "./logger";

/**
 * The worker's background timers and sleeps, cancellable in one call when it drains. A task
 * returns the delay until its next run, so each can pace itself (promotion speeds up while busy).
 */
export class WorkerTimers {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #sleepers = new Set<() => void>();
  #cancelled = false;

  constructor(private readonly log: QueueLogger) {}

  /** Runs `task` after `firstDelay`, then again after whatever delay it returns, until cancelled. */
  every(name: string, task: () => Promise<number>, firstDelay: number): void {
    const schedule = (delay: number) => {
      const timer = setTimeout(async () => {
        this.#timers.delete(timer);
        // Cancelled while this run was queued.
        if (this.#cancelled) return;
        let next = firstDelay;
        try {
          next = await task();
        } catch (error) {
          this.log.error(`worker ${name} failed`, { error: (error as Error).message });
        }
        if (!this.#cancelled) schedule(next);
      }, delay);
      this.#timers.add(timer);
    };
    schedule(firstDelay);
  }

  /** Sleeps up to `ms`; `cancel()` ends it early. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  cancel(): void {
    this.#cancelled = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const wake of this.#sleepers) wake();
  }
}
