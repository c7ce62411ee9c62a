/**
 * `bun run redis:cluster`: a local Redis Cluster (3 masters, 1 replica each by default) from
 * `redis-server` on free loopback ports. Prints `REDIS_CLUSTER_NODES=…` once the cluster is
 * whole, then runs until Ctrl-C / SIGTERM and stops every node (its files are in a temp dir).
 *   --masters=3 --replicas=1 --node-timeout=2000 (ms; short, so a replica takes over quickly)
 */
import { parseArgs } from "node:util";
import { startLocalCluster } from "../src/redis/local-cluster";

const { values } = parseArgs({
  options: {
    masters: { type: "string", default: "3" },
    replicas: { type: "string", default: "1" },
    "node-timeout": { type: "string", default: "2000" },
  },
  strict: true,
});
const masters = Number(values.masters);
const replicas = Number(values.replicas);
const nodeTimeoutMs = Number(values["node-timeout"]);
if (!Number.isInteger(masters) || masters < 3)
  throw new Error("--masters must be an integer ≥ 3 (Redis Cluster's minimum)");
if (!Number.isInteger(replicas) || replicas < 0) throw new Error("--replicas must be a non-negative integer");
if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) throw new Error("--node-timeout must be ≥ 100 ms");

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
