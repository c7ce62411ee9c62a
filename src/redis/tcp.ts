import { RedisClient } from "bun";
import type { RedisArg, RedisCommand, RedisConnection } from "./types";

function toStrings(args: readonly RedisArg[]): string[] {
  return args.map((a) => (typeof a === "string" ? a : String(a)));
}

/**
 * Redis over TCP with Bun's built-in client. It pipelines concurrent sends on
 * one socket by itself, so `pipeline` is just concurrent sends; blocking
 * commands and MULTI must use `duplicate()`.
 */
export class TcpRedis implements RedisConnection {
  readonly kind = "tcp" as const;
  readonly #client: RedisClient;
  readonly #url: string;

  constructor(url: string, client?: RedisClient) {
    this.#url = url;
    this.#client = client ?? new RedisClient(url, { enableAutoPipelining: true, autoReconnect: true });
  }

  send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    return this.#client.send(command, toStrings(args));
  }

  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    return Promise.all(
      commands.map(([command, args]) => this.#client.send(command, toStrings(args)).catch((error: unknown) => error)),
    );
  }

  async duplicate(): Promise<RedisConnection> {
    const client = new RedisClient(this.#url, { enableAutoPipelining: true, autoReconnect: true });
    await client.connect();
    return new TcpRedis(this.#url, client);
  }

  close(): void {
    this.#client.close();
  }
}

/** Opens a TCP connection and checks it answers. */
export async function connectTcpRedis(url: string): Promise<TcpRedis> {
  const redis = new TcpRedis(url);
  await redis.send("PING", []);
  return redis;
}
