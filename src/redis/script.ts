import { createHash } from "node:crypto";
import type { RedisArg, RedisConnection } from "./types";

/** A Lua script with a fixed number of keys, run with EVALSHA and EVAL on NOSCRIPT. */
export type RedisScript = {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly source: string;
  readonly sha: string;
};

/** Defines a script; its SHA1 is computed once here. */
export function defineScript(name: string, numberOfKeys: number, source: string): RedisScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return { name, numberOfKeys, source, sha };
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.includes("NOSCRIPT");
}

/** Runs a script by SHA, loading it with EVAL when the server does not know it yet. */
export async function runScript(
  redis: RedisConnection,
  script: RedisScript,
  keys: readonly string[],
  args: readonly RedisArg[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new Error(`script ${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  try {
    return await redis.send("EVALSHA", [script.sha, keys.length, ...keys, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.send("EVAL", [script.source, keys.length, ...keys, ...args]);
  }
}
