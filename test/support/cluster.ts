import { createHash } from "node:crypto";
import { loadConfig } from "../../src/config";
import { type ClusterRedis, connectClusterRedis } from "../../src/redis/cluster";
import { keySlot } from "../../src/redis/key-slot";
import {
  clusterSettled,
  type LocalCluster,
  type LocalClusterNode,
  type LocalClusterOptions,
  startLocalCluster,
} from "../../src/redis/local-cluster";
import type { RedisArg, RedisCommand, RedisConnection } from "../../src/redis/types";

/**
 * The Redis Cluster for a test file: the run's cluster when REDIS_CLUSTER_NODES is set, else a
 * private one started for this file (`stop()` it in afterAll). Fault tests always want a private one.
 */
export async function testCluster(
  options: LocalClusterOptions & { private?: boolean } = {},
): Promise<{ redis: ClusterRedis; local: LocalCluster | null; stop(): Promise<void> }> {
  const configured = loadConfig().REDIS_CLUSTER_NODES;
  if (configured && !options.private) {
    const redis = await connectClusterRedis(configured);
    return { redis, local: null, stop: async () => redis.close() };
  }
  const local = await startLocalCluster(options);
  const redis = await connectClusterRedis(local.seeds);
  return {
    redis,
    local,
    async stop() {
      redis.close();
      await local.stop();
    },
  };
}

/** One command that went wrong because of the cluster: a cross-slot call or a wrong-node answer. */
export type SlotProblem = { command: string; keys: string[]; problem: string };

const SLOT_ERROR = /CROSSSLOT|same slot|non local key|MOVED|ASK|CLUSTERDOWN/i;

/** The keys an EVAL/EVALSHA names, else none (single-key commands cannot cross slots). */
function scriptKeys(command: string, args: readonly RedisArg[]): string[] {
  if (!/^EVAL(SHA)?$/i.test(command)) return [];
  return args.slice(2, 2 + Number(args[1])).map(String);
}

function multiKeys(command: string, args: readonly RedisArg[]): string[] {
  const upper = command.toUpperCase();
  if (upper === "XREADGROUP" || upper === "XREAD") {
    const at = args.findIndex((a) => String(a).toUpperCase() === "STREAMS");
    const rest = args.slice(at + 1);
    return rest.slice(0, rest.length / 2).map(String);
  }
  if (["MGET", "DEL", "UNLINK", "EXISTS", "SUNION", "SINTER", "ZUNIONSTORE", "RENAME"].includes(upper)) {
    return args.map(String);
  }
  return scriptKeys(command, args);
}

/**
 * Wraps a connection and records every command that crosses slots — checked on the client from
 * the keys it names (scripts and multi-key commands) — or that the cluster refused for slots,
 * even when the caller swallows the error (the cache falls back, loops retry).
 */
export class SlotCheckingRedis implements RedisConnection {
  readonly kind = "tcp" as const;
  readonly problems: SlotProblem[];
  /** Script names (by SHA) and multi-key commands seen, so a test can say what it covered. */
  readonly seen: Set<string>;

  constructor(
    private readonly inner: RedisConnection,
    shared?: { problems: SlotProblem[]; seen: Set<string> },
  ) {
    this.problems = shared?.problems ?? [];
    this.seen = shared?.seen ?? new Set();
  }

  #check(command: string, args: readonly RedisArg[]): void {
    const keys = multiKeys(command, args);
    if (keys.length === 0) return;
    const upper = command.toUpperCase();
    if (upper === "EVALSHA") this.seen.add(`script ${String(args[0])}`);
    else if (upper === "EVAL") this.seen.add(`script ${createHash("sha1").update(String(args[0])).digest("hex")}`);
    else this.seen.add(upper);
    if (new Set(keys.map(keySlot)).size > 1) this.problems.push({ command, keys, problem: "keys in different slots" });
  }

  #record(command: string, args: readonly RedisArg[], error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (SLOT_ERROR.test(message)) this.problems.push({ command, keys: multiKeys(command, args), problem: message });
  }

  async send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    this.#check(command, args);
    try {
      return await this.inner.send(command, args);
    } catch (error) {
      this.#record(command, args, error);
      throw error;
    }
  }

  async pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    for (const [command, args] of commands) this.#check(command, args);
    const replies = await this.inner.pipeline(commands);
    replies.forEach((reply, i) => {
      if (reply instanceof Error) this.#record(commands[i]![0], commands[i]![1], reply);
    });
    return replies;
  }

  async duplicate(): Promise<RedisConnection> {
    return new SlotCheckingRedis(await this.inner.duplicate(), { problems: this.problems, seen: this.seen });
  }

  waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number> {
    if (!this.inner.waitForReplicas) return Promise.resolve(0);
    return this.inner.waitForReplicas(key, replicas, timeoutMs);
  }

  close(): void {
    this.inner.close();
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const child = Bun.spawn(["redis-cli", "-p", String(port), ...args], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(child.stdout).text();
  await child.exited;
  return out;
}

/** Polls until `check` holds, or fails naming `label` after `timeoutMs`. */
export async function until(label: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await Bun.sleep(50);
  }
  return Date.now() - started;
}

/** `CLUSTER NODES` as seen by a running node: address → { id, flags, masterId, slots }. */
export async function clusterNodes(
  local: LocalCluster,
): Promise<Map<string, { id: string; flags: string; masterId: string; slots: string[] }>> {
  const seen = local.nodes.find((n) => n.running);
  if (!seen) throw new Error("no node of the cluster is running");
  const out = new Map<string, { id: string; flags: string; masterId: string; slots: string[] }>();
  for (const line of (await cli(seen.port, "CLUSTER", "NODES")).split("\n")) {
    const [id, address, flags, masterId, , , , , ...slots] = line.trim().split(" ");
    if (!id || !address) continue;
    out.set(address.split("@")[0]!, { id, flags: flags ?? "", masterId: masterId ?? "-", slots });
  }
  return out;
}

/** The local node that is master of a key's slot now. */
export async function masterOf(local: LocalCluster, redis: ClusterRedis, key: string): Promise<LocalClusterNode> {
  const slot = keySlot(key);
  for (const [address, node] of await clusterNodes(local)) {
    if (!node.flags.includes("master") || node.flags.includes("fail")) continue;
    const owns = node.slots.some((range) => {
      const [from, to] = range.split("-").map(Number);
      return slot >= from! && slot <= (to ?? from)!;
    });
    if (owns) return local.nodes.find((n) => n.address === address)!;
  }
  throw new Error(`no master owns slot ${slot} (${key}); the client thinks ${redis.masterFor(key)}`);
}

/** Every running node sees the cluster whole and every running replica is in sync with its master. */
export function settled(local: LocalCluster, replicasPerMaster: number): Promise<boolean> {
  return clusterSettled(local.nodes, replicasPerMaster);
}

/**
 * SIGKILLs a master and waits for its replica to be promoted (the cluster whole again without
 * it). Returns how long the takeover took.
 */
export async function killMaster(local: LocalCluster, master: LocalClusterNode): Promise<number> {
  await master.kill("SIGKILL");
  return until(`a replica to take over from ${master.address}`, 30_000, async () => {
    const node = (await clusterNodes(local)).get(master.address);
    return node?.flags.includes("fail") === true && node.slots.length === 0 && (await settled(local, 0));
  });
}
