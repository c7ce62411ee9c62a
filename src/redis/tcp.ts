import { RedisClient } from "bun";
import type { RedisArg, RedisCommand, RedisConnection } from "./types";

function toStrings(args: readonly RedisArg[]): string[] {
  return args.map((a) => (typeof a === "string" ? a : String(a)));
}

/** How a connection comes back after Bun's client has given up. */
export type ReconnectOptions = {
  /** Bun's own reconnect attempts (about 1.5 s for 5) before this class takes over. Default 5. */
  clientRetries?: number;
  /** First replacement delay (ms); doubles per failed attempt. Default 100. */
  baseDelayMs?: number;
  /** Longest delay between replacement attempts (ms). Default 2 000. */
  maxDelayMs?: number;
  /** Told when the connection is lost for good and when a replacement is connected. */
  onStateChange?: (state: "lost" | "recovered", detail: { attempts: number; downMs: number }) => void;
};

/** Full jitter: a random delay up to the exponential step, so a fleet does not reconnect in lockstep. */
export function reconnectDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30)));
}

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => {
    // A connection waiting for Redis must not keep a finished process alive.
    setTimeout(resolve, ms).unref();
  });
}

/**
 * Redis over TCP with Bun's built-in client. It pipelines concurrent sends on
 * one socket by itself, so `pipeline` is just concurrent sends; blocking
 * commands and MULTI must use `duplicate()`.
 *
 * Bun's client rides out a short blip by itself (commands wait in its offline
 * queue), but after `clientRetries` failed reconnects it gives up for good and
 * every later command fails with "Connection has failed". Then this class
 * replaces the client, forever, with capped exponential backoff and full
 * jitter; meanwhile commands fail fast. Duplicates recover the same way.
 */
export class TcpRedis implements RedisConnection {
  readonly kind = "tcp" as const;
  readonly #url: string;
  readonly #reconnect: Required<Omit<ReconnectOptions, "onStateChange">> & Pick<ReconnectOptions, "onStateChange">;
  #client: RedisClient;
  #replacing: Promise<void> | null = null;
  #closed = false;

  constructor(url: string, options: ReconnectOptions = {}) {
    this.#url = url;
    this.#reconnect = {
      clientRetries: options.clientRetries ?? 5,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 2_000,
      onStateChange: options.onStateChange,
    };
    this.#client = this.#open();
  }

  /** True once a replacement is under way (the client gave up) and until one connects. */
  get reconnecting(): boolean {
    return this.#replacing !== null;
  }

  send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    return this.#client.send(command, toStrings(args));
  }

  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    const client = this.#client;
    return Promise.all(
      commands.map(([command, args]) => client.send(command, toStrings(args)).catch((error: unknown) => error)),
    );
  }

  async duplicate(): Promise<RedisConnection> {
    const copy = new TcpRedis(this.#url, this.#reconnect);
    try {
      await copy.#client.connect();
    } catch (error) {
      copy.close();
      throw error;
    }
    return copy;
  }

  close(): void {
    this.#closed = true;
    this.#client.close();
  }

  #open(): RedisClient {
    const client = new RedisClient(this.#url, {
      enableAutoPipelining: true,
      autoReconnect: true,
      maxRetries: this.#reconnect.clientRetries,
    });
    // Bun runs onclose once it has given up reconnecting (or on an idle timeout): replace it.
    client.onclose = () => {
      if (!this.#closed && client === this.#client) this.#replace();
    };
    return client;
  }

  #replace(): void {
    if (this.#replacing) return;
    const lostAt = Date.now();
    this.#reconnect.onStateChange?.("lost", { attempts: 0, downMs: 0 });
    this.#replacing = (async () => {
      for (let attempt = 0; !this.#closed; attempt++) {
        await sleepUnref(reconnectDelayMs(attempt, this.#reconnect.baseDelayMs, this.#reconnect.maxDelayMs));
        // close() was called while waiting.
        if (this.#closed) break;
        const next = this.#open();
        try {
          await next.connect();
        } catch {
          next.close();
          continue;
        }
        const old = this.#client;
        this.#client = next;
        old.close();
        if (this.#closed) next.close();
        else this.#reconnect.onStateChange?.("recovered", { attempts: attempt + 1, downMs: Date.now() - lostAt });
        // Connected again.
        break;
      }
      this.#replacing = null;
    })();
  }
}

/** Opens a TCP connection and checks it answers. */
export async function connectTcpRedis(url: string, options: ReconnectOptions = {}): Promise<TcpRedis> {
  const redis = new TcpRedis(url, options);
  try {
    await redis.send("PING", []);
  } catch (error) {
    // Nobody gets this connection: stop it from reconnecting in the background.
    redis.close();
    throw error;
  }
  return redis;
}
