/**
 * `bun run bench:deno-redis`: Redis from Deno over REST (the local Upstash-contract endpoint) and
 * over TCP (ioredis), on a private redis-server; prints p50 / p95 in ms per case. The numbers
 * behind docs/decisions/0017.
 */
import { startLocalRedis } from "../src/redis/local-server";
import { startUpstashRestServer } from "../src/redis/upstash-rest-server";
import { parseCommandLine } from "../src/runtime/command-line";

parseCommandLine({
  usage: `bun run bench:deno-redis

  Redis from Deno over REST and over TCP (ioredis) on a private redis-server: p50 / p95 per case.`,
});
const root = new URL("../", import.meta.url).pathname;
const local = await startLocalRedis();
const rest = await startUpstashRestServer({ redisUrl: local.url, token: "bench" });
const child = Bun.spawn(
  [
    `${root}node_modules/.bin/deno`,
    "run",
    "-A",
    "--unstable-raw-imports",
    "--quiet",
    `${root}bench/deno-redis-client.ts`,
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: local.url,
      REST_URL: rest.url,
      REST_TOKEN: "bench",
      PREFIX: `bench${Date.now()}`,
    },
    stdout: "pipe",
    stderr: "inherit",
  },
);
const out = await new Response(child.stdout).text();
const code = await child.exited;
await rest.stop();
await local.stop();
if (code !== 0) {
  console.error(`deno exited with ${code}`);
  process.exit(1);
}
for (const row of JSON.parse(out) as Array<{ name: string; p50: number; p95: number }>) {
  console.log(`${row.name.padEnd(24)} p50 ${String(row.p50).padStart(8)} ms   p95 ${String(row.p95).padStart(8)} ms`);
}
