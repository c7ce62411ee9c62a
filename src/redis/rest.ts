import { Redis } from "@upstash/redis/cloudflare";
import type { RedisArg, RedisCommand, RedisConnection } from "./types";

/**
 * Redis over Upstash's REST API, for edge runtimes. Replies keep their RESP2
 * shapes (flat arrays; `replies.ts` normalises them) because automatic JSON
 * deserialisation is off; concurrent commands are batched into one pipeline
 * request by the SDK's auto-pipelining. REST has no connection to block on
 * or to hold a MULTI, so `duplicate()` refuses: workers run on Bun over TCP.
 */
export class RestRedis implements RedisConnection {
  readonly kind = "rest" as const;
  readonly #redis: Redis;

  constructor(options: { url: string; token: string }) {
    this.#redis = new Redis({
      url: options.url,
      token: options.token,
      automaticDeserialization: false,
      enableAutoPipelining: true,
      enableTelemetry: false,
    });
  }

  send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    return this.#redis.exec([command, ...args]);
  }

  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    return Promise.all(
      commands.map(([command, args]) => this.#redis.exec([command, ...args]).catch((error: unknown) => error)),
    );
  }

  duplicate(): Promise<RedisConnection> {
    return Promise.reject(new Error("Redis over REST has no dedicated connections: blocking reads and MULTI need TCP"));
  }

  close(): void {
    // Stateless HTTP: nothing to release.
  }
}
