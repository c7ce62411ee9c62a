import { Cluster, type ClusterOptions } from "ioredis";
import { keySlot } from "./key-slot";
import type { RedisArg, RedisCommand, RedisConnection } from "./types";

/** A seed node of a Redis Cluster; the client discovers the rest with CLUSTER SLOTS. */
export type ClusterNodeAddress = { host: string; port: number };

/** Where to really connect for a node the cluster announces as `host:port` (NAT, proxies). */
export type ClusterAddressMap = Readonly<Record<string, ClusterNodeAddress>>;

const CLUSTER_OPTIONS: ClusterOptions = {
  // Concurrent sends are batched per node in one write: the cluster's "pipeline per node".
  enableAutoPipelining: true,
  // Failover takes cluster-node-timeout plus an election: keep redirecting for several seconds
  // (32 × 200 ms) before a command gives up, instead of failing on the first refused connection.
  maxRedirections: 32,
  retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 100,
  // Re-read the slot map often, so a promoted replica or moved slots are found without waiting for a MOVED.
  slotsRefreshInterval: 2000,
  slotsRefreshTimeout: 2000,
  // Never give up reconnecting: a cluster that comes back after any outage is used again.
  clusterRetryStrategy: (times) => Math.min(100 + times * 100, 2000),
  redisOptions: { protocol: 3, replyMapping: "resp3", connectTimeout: 5000 },
};

function clusterOptions(addressMap: ClusterAddressMap | undefined): ClusterOptions {
  return addressMap ? { ...CLUSTER_OPTIONS, natMap: { ...addressMap } } : CLUSTER_OPTIONS;
}

/** Waits for the client's slot map, or fails after `timeoutMs` with the client's last error. */
function whenReady(cluster: Cluster, timeoutMs: number): Promise<void> {
  if (cluster.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    const onError = (error: unknown) => {
      lastError = error;
    };
    const timer = setTimeout(() => {
      cluster.off("ready", onReady);
      cluster.off("error", onError);
      reject(new Error(`Redis Cluster not ready within ${timeoutMs} ms: ${String(lastError ?? "no answer")}`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      cluster.off("error", onError);
      resolve();
    };
    cluster.once("ready", onReady);
    cluster.on("error", onError);
  });
}

/**
 * Redis Cluster through ioredis's `Cluster`: it follows MOVED and ASK, re-reads
 * the slot map (on redirects, on connection errors and every 2 s), and routes
 * every command by its keys — scripts by their first key, since EVALSHA names
 * its keys. Replies use RESP3 shapes like Bun's client. `duplicate()` opens a
 * client of its own, so a blocking read holds a connection to the node owning
 * its shard and nothing else waits behind it.
 */
export class ClusterRedis implements RedisConnection {
  readonly kind = "tcp" as const;
  readonly #cluster: Cluster;
  readonly #nodes: readonly ClusterNodeAddress[];
  readonly #addressMap: ClusterAddressMap | undefined;

  constructor(nodes: readonly ClusterNodeAddress[], cluster?: Cluster, addressMap?: ClusterAddressMap) {
    if (nodes.length === 0) throw new Error("a Redis Cluster connection needs at least one seed node");
    this.#nodes = nodes;
    this.#addressMap = addressMap;
    this.#cluster = cluster ?? new Cluster([...nodes], clusterOptions(addressMap));
    // Errors reach the caller of each command; the client's own event would otherwise be unhandled.
    this.#cluster.on("error", () => {});
  }

  send(command: string, args: readonly RedisArg[]): Promise<unknown> {
    if (command.toUpperCase() === "CONFIG") return this.#config(args);
    return this.#cluster.call(command, ...args);
  }

  /**
   * CONFIG has no key, so a cluster client would ask one node at random: a setting is read from
   * every master (all must agree, else it rejects naming the values) and written to every node.
   */
  async #config(args: readonly RedisArg[]): Promise<unknown> {
    const write = String(args[0]).toUpperCase() !== "GET";
    const nodes = write ? this.#cluster.nodes("all") : this.#cluster.nodes("master");
    const replies = await Promise.all(nodes.map((node) => node.call("CONFIG", ...args)));
    const shapes = new Set(replies.map((reply) => JSON.stringify(reply)));
    if (shapes.size > 1)
      throw new Error(`cluster nodes disagree on CONFIG ${args.join(" ")}: ${[...shapes].join(" vs ")}`);
    return replies[0];
  }

  pipeline(commands: readonly RedisCommand[]): Promise<unknown[]> {
    return Promise.all(
      commands.map(([command, args]) => this.#cluster.call(command, ...args).catch((error: unknown) => error)),
    );
  }

  async duplicate(): Promise<RedisConnection> {
    const cluster = new Cluster([...this.#nodes], clusterOptions(this.#addressMap));
    const connection = new ClusterRedis(this.#nodes, cluster, this.#addressMap);
    try {
      await whenReady(cluster, 10_000);
    } catch (error) {
      cluster.disconnect();
      throw error;
    }
    return connection;
  }

  /** The `host:port` of the master that owns a key's slot, by the client's current slot map. */
  masterFor(key: string): string | null {
    return this.#cluster.slots[keySlot(key)]?.[0] ?? null;
  }

  /**
   * `WAIT replicas timeoutMs` on the master that owns `key`, on the same connection that carried
   * the writes to it, so it covers them. Returns how many replicas acknowledged.
   */
  async waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number> {
    const owner = this.masterFor(key);
    const node = owner ? this.#cluster.nodes("master").find((n) => this.#announced(n.options) === owner) : undefined;
    if (!node) throw new Error(`no master known for key ${key}`);
    return Number(await node.call("WAIT", replicas, timeoutMs));
  }

  /** Sends a keyless command to every master (SCAN, FLUSHALL, INFO in tests and tools). */
  async eachMaster<T>(
    run: (send: (command: string, args: readonly RedisArg[]) => Promise<unknown>) => Promise<T>,
  ): Promise<T[]> {
    return Promise.all(
      this.#cluster.nodes("master").map((node) => run((command, args) => node.call(command, ...args))),
    );
  }

  /** The address a node has in the slot map (its announced one when an address map redirects it). */
  #announced(options: { host?: string; port?: number }): string {
    const actual = `${options.host}:${options.port}`;
    if (!this.#addressMap) return actual;
    const entry = Object.entries(this.#addressMap).find(([, to]) => `${to.host}:${to.port}` === actual);
    return entry ? entry[0] : actual;
  }

  close(): void {
    this.#cluster.disconnect();
  }
}

/** Connects to a cluster and waits for its slot map. */
export async function connectClusterRedis(
  nodes: readonly ClusterNodeAddress[],
  addressMap?: ClusterAddressMap,
): Promise<ClusterRedis> {
  const cluster = new Cluster([...nodes], clusterOptions(addressMap));
  const redis = new ClusterRedis(nodes, cluster, addressMap);
  try {
    await whenReady(cluster, 10_000);
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
  return redis;
}
