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
// The tests' HS256 secret, new every run: the public development secret is refused outside a
// development server on loopback, and nothing here depends on a secret anyone else knows.
process.env.JWT_SECRET ??= `test-${crypto.randomUUID()}-${crypto.randomUUID()}`;
process.env.LOG_LEVEL ??= "silent";
// Test worlds place many orders as one customer and try many bad tokens from one (unknown) address:
// the limits stay on (every request still goes through the limiter) but far apart; the rate-limit
// tests set the limits they check.
for (const name of [
  "RATE_LIMIT_AUTH_FAILURES",
  "RATE_LIMIT_ORDERS",
  "RATE_LIMIT_PAYMENTS",
  "RATE_LIMIT_WEBHOOKS",
  "RATE_LIMIT_MONITORING_WRITES",
]) {
  process.env[name] ??= "1000000/60";
}

// The app serves the dashboard script built ahead of time; build it from the sources under test.
await buildDashboard();
