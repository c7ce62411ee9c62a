/**
 * `bun run redis:cluster`: a local Redis Cluster (3 masters, 1 replica each by default) from
 * `redis-server` on free loopback ports. Prints `REDIS_CLUSTER_NODES=…` once the cluster is
 * whole, then runs until Ctrl-C / SIGTERM and stops every node (its files are in a temp dir).
 *   --masters=3 --replicas=1 --node-timeout=2000 (ms; short, so a replica takes over quickly)
 */
import { startLocalCluster } from "../src/redis/local-cluster";
import { exitWithUsage, intFlag, parseCommandLine } from "../src/runtime/command-line";

const spec = {
  usage: `bun run redis:cluster [--masters=3] [--replicas=1] [--node-timeout=2000]

  A local Redis Cluster on free loopback ports; prints REDIS_CLUSTER_NODES=… once it is whole.
  Ctrl-C stops every node. --node-timeout is in ms (short, so a replica takes over quickly).`,
  options: {
    masters: { type: "string", default: "3" },
    replicas: { type: "string", default: "1" },
    "node-timeout": { type: "string", default: "2000" },
  },
} as const;
const { values } = parseCommandLine(spec);
let masters: number;
let replicas: number;
let nodeTimeoutMs: number;
try {
  masters = intFlag(values.masters, "masters", 3);
  replicas = intFlag(values.replicas, "replicas", 0);
  nodeTimeoutMs = intFlag(values["node-timeout"], "node-timeout", 100);
} catch (error) {
  exitWithUsage(spec, error);
}

const cluster = await startLocalCluster({
  masters,
  replicasPerMaster: replicas,
  nodeTimeoutMs,
  onProgress: (line) => console.error(`[redis:cluster] ${line}`),
});
console.log(`REDIS_CLUSTER_NODES=${cluster.env}`);

let stopping = false;
async function shutdown(signal: string) {
  // A second signal while stopping is ignored: stop() is already under way.
  if (stopping) return;
  stopping = true;
  console.error(`[redis:cluster] ${signal}: stopping ${cluster.nodes.length} nodes`);
  await cluster.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
