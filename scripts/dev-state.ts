import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type Config, loadConfig } from "../src/config";
import { hasRedisTarget } from "../src/redis/connect";

/**
 * What a running `bun run dev` tells the commands started next to it: its pid, the API and the
 * private Redis it started. (The embedded database it serves is found by db/, from the lock
 * beside PGLITE_DIR.) Written once the system is up, removed when it stops.
 */
export const DEV_STATE_FILE = ".data/dev.json";

export type DevState = { pid: number; api: string; redisUrl?: string };

export function writeDevState(state: DevState): () => void {
  writeFileSync(DEV_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  return () => rmSync(DEV_STATE_FILE, { force: true });
}

/** The running dev command's state, if one runs. */
export function runningDev(): DevState | undefined {
  if (!existsSync(DEV_STATE_FILE)) return undefined;
  try {
    const state = JSON.parse(readFileSync(DEV_STATE_FILE, "utf8")) as DevState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    // Unreadable, or its process is gone: no dev command runs.
    return undefined;
  }
}

/**
 * The configuration for a command run next to `bun run dev`: when neither REDIS_URL nor
 * REDIS_CLUSTER_NODES is set, the Redis the dev command started.
 */
export function configNextToDev(): Config {
  const config = loadConfig();
  if (hasRedisTarget(config)) return config;
  const redisUrl = runningDev()?.redisUrl;
  return redisUrl ? loadConfig({ REDIS_URL: redisUrl }) : config;
}
