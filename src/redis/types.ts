/** A value we send to Redis. */
export type RedisArg = string | number;

/** One command in a pipeline. */
export type RedisCommand = readonly [command: string, args: readonly RedisArg[]];

/**
 * The one Redis interface the rest of the code uses. Both clients (Bun's TCP
 * `RedisClient` and Upstash REST) sit behind it; reply shapes differ between
 * RESP2 and RESP3, so callers normalise with the helpers in `replies.ts`.
 */
export interface RedisConnection {
  readonly kind: "tcp" | "rest";
  /** Send one command and return its raw reply. Server errors reject. */
  send(command: string, args: readonly RedisArg[]): Promise<unknown>;
  /** Send many commands in one round trip (not atomic). Errors come back in place as `Error` values. */
  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]>;
  /** A connection of its own, for blocking reads and MULTI. */
  duplicate(): Promise<RedisConnection>;
  /**
   * Redis Cluster only: `WAIT replicas timeoutMs` on the master owning `key`, after writes to it
   * on this connection; returns how many replicas acknowledged them.
   */
  waitForReplicas?(key: string, replicas: number, timeoutMs: number): Promise<number>;
  close(): void;
}
