import { Redis } from "@upstash/redis/cloudflare";
import type { RedisArg, RedisCommand, RedisConnection } from "./types";

/**
 * Redis over Upstash's REST API, for edge runtimes. Replies keep their RESP2
 * shapes (flat arrays; `replies.ts` normalises them) because automatic JSON
 * deserialisation is off. `send` is one request per command (the SDK's
 * auto-pipelining does not cover `exec`); `pipeline` is one `POST /pipeline`
 * whatever its length, so a day of metrics minutes is one subrequest, not
 * 1,440 (which ran workerd out of sockets and would pass Workers' subrequest
 * limit). REST has no connection to block on or to hold a MULTI, so
 * `duplicate()` refuses: workers run on Bun over TCP.
 */
export class RestRedis implements RedisConnection {
  readonly kind = "rest" as const;
  readonly #redis: Redis;
  readonly #pipelineUrl: string;
  readonly #token: string;

  constructor(options: { url: string; token: string }) {
    this.#pipelineUrl = `${options.url.replace(/\/+$/, "")}/pipeline`;
    this.#token = options.token;
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

  /** One request; a command's error comes back in its place, a failed request as every command's error. */
  async pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    if (commands.length === 0) return [];
    try {
      const res = await fetch(this.#pipelineUrl, {
        method: "POST",
        headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
        body: JSON.stringify(commands.map(([command, args]) => [command, ...args.map(String)])),
      });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok || !Array.isArray(body) || body.length !== commands.length) {
        const reason = body && typeof body === "object" && "error" in body ? String(body.error) : `HTTP ${res.status}`;
        throw new Error(`Upstash pipeline failed: ${reason}`);
      }
      return body.map((reply: { result?: unknown; error?: string }) =>
        reply.error === undefined ? (reply.result ?? null) : new Error(reply.error),
      );
    } catch (error) {
      return commands.map(() => error);
    }
  }

  duplicate(): Promise<RedisConnection> {
    return Promise.reject(new Error("Redis over REST has no dedicated connections: blocking reads and MULTI need TCP"));
  }

  close(): void {
    // Stateless HTTP: nothing to release.
  }
}
