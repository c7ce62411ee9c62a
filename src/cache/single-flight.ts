/**
 * In-process single flight: concurrent callers asking for the same key share
 * one running computation instead of each starting their own.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const started = compute().finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }
}
