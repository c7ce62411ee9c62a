import { afterAll } from "bun:test";
import { buildDashboard } from "../../scripts/build-dashboard";
import { startLocalCluster } from "../../src/redis/local-cluster";
import { startLocalRedis } from "../../src/redis/local-server";

// When REDIS_URL is unset, the whole run shares one private redis-server;
// tests isolate themselves with their own key prefixes. TEST_REDIS_CLUSTER=1
// also starts a private 3-master cluster and sets REDIS_CLUSTER_NODES, so the
// tests that take the configured Redis run on the cluster (the single node
// stays for the tests that need one, such as single-connection outages).
try {
  if (!process.env.REDIS_URL) {
    const local = await startLocalRedis();
    process.env.REDIS_URL = local.url;
    afterAll(() => local.stop());
  }
  if (process.env.TEST_REDIS_CLUSTER === "1" && !process.env.REDIS_CLUSTER_NODES) {
    const cluster = await startLocalCluster();
    process.env.REDIS_CLUSTER_NODES = cluster.env;
    afterAll(() => cluster.stop());
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL ??= "silent";

// The app serves the dashboard script built ahead of time; build it from the sources under test.
await buildDashboard();
