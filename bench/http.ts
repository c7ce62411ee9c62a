/**
 * `bun run bench:http`: menu and config served from a cache hit, from a cache
 * miss, and by a raw `Bun.serve` returning the same bytes (the ceiling), then
 * a realistic mix (Zipf-distributed restaurants, occasional writes that
 * invalidate) reporting the hit rate. The server runs in a child process on a
 * seeded PGlite; Redis is REDIS_URL or a private redis-server. Writes
 * bench/results/http-latest.json. `--quick` shortens every case.
 */
import { cpus } from "node:os";
import { DEMO_USER_IDS } from "../db/seed";
import { issueToken } from "../src/auth/tokens";
import { cacheEntries } from "../src/cache/cache-keys";
import { CachingService } from "../src/cache/caching-service";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { startLocalRedis } from "../src/redis/local-server";
import { connectTcpRedis } from "../src/redis/tcp";
import { runMix } from "./support/http-mix";
import { type LoadResult, percentile, runLoad } from "./support/load";

const QUICK = process.argv.includes("--quick");
const DURATION_MS = QUICK ? 1500 : 5000;
const MIX_DURATION_MS = QUICK ? 3000 : 15_000;

const local = process.env.REDIS_URL ? null : await startLocalRedis();
const redisUrl = process.env.REDIS_URL ?? local!.url;
const prefix = `bench${Date.now().toString(36)}`;
const config = loadConfig({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix });

const child = Bun.spawn(["bun", new URL("./http-server.ts", import.meta.url).pathname], {
  env: {
    ...process.env,
    REDIS_URL: redisUrl,
    BENCH_PREFIX: prefix,
    BENCH_TOKEN: await issueToken(config.JWT_SECRET, DEMO_USER_IDS.owner),
  },
  stdout: "pipe",
  stderr: "inherit",
});
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    // The server exited before announcing itself; its stderr says why.
    if (done) throw new Error("bench server exited before it was ready");
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf("\n"));
}
const urls = JSON.parse(await firstLine(child.stdout)) as { api: string; raw: string; menuBytes: number };

const redis = await connectTcpRedis(redisUrl);
const cache = new CachingService(redis, createLogger("silent"), { prefix });
const owner = { authorization: `Bearer ${await issueToken(config.JWT_SECRET, DEMO_USER_IDS.owner)}` };
const admin = { authorization: `Bearer ${await issueToken(config.JWT_SECRET, DEMO_USER_IDS.admin)}` };

type Case = { name: string; concurrency: number } & LoadResult;
const cases: Case[] = [];
async function measure(name: string, concurrency: number, send: () => Promise<Response>, before?: () => Promise<void>) {
  const result = await runLoad({ send, concurrency, durationMs: DURATION_MS, before });
  cases.push({ name, concurrency, ...result });
  console.error(`${name} c=${concurrency}: ${result.rps} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
}

const get =
  (url: string, headers: Record<string, string> = {}) =>
  () =>
    fetch(url, { headers });
for (const concurrency of [64, 1]) {
  await measure("menu: raw Bun.serve (ceiling)", concurrency, get(`${urls.raw}/menu`));
  await measure("menu: cache hit", concurrency, get(`${urls.api}/v1/restaurants/1/menu`));
  await measure(
    "menu: app, bytes in memory (in-process layer bound)",
    concurrency,
    get(`${urls.api}/bench/menu-from-memory`),
  );
  await measure("config: raw Bun.serve (ceiling)", concurrency, get(`${urls.raw}/config`));
  await measure("config: cache hit", concurrency, get(`${urls.api}/v1/restaurants/1/config`, owner));
}
// A miss each time: the entry is invalidated (untimed) before every request.
await measure("menu: cache miss", 1, get(`${urls.api}/v1/restaurants/1/menu`), () => cache.invalidateMenu(1));
await measure("config: cache miss", 1, get(`${urls.api}/v1/restaurants/1/config`, owner), () =>
  cache.invalidate("restaurant_config", 1),
);

// What a hit costs inside the process: the Redis round trip an in-process layer would save.
const lookups: number[] = [];
for (let i = 0; i < 2000; i += 1) {
  const started = performance.now();
  await cache.remember(cacheEntries.menuItems(1), async () => ({}));
  lookups.push(performance.now() - started);
}
lookups.sort((a, b) => a - b);
const redisLookup = { p50Ms: percentile(lookups, 0.5), p99Ms: percentile(lookups, 0.99) };

const mix = await runMix({ api: urls.api, cache, owner: admin, durationMs: MIX_DURATION_MS });

const byName = (name: string, c: number) => cases.find((x) => x.name === name && x.concurrency === c)!;
const ratio = (hit: string, raw: string) => byName(hit, 64).rps / byName(raw, 64).rps;
const results = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", bun: Bun.version },
  durationMsPerCase: DURATION_MS,
  menuBytes: urls.menuBytes,
  cases,
  redisLookup,
  mix,
  targets: {
    cachedMenuShareOfCeiling: ratio("menu: cache hit", "menu: raw Bun.serve (ceiling)"),
    inProcessBoundShareOfCeiling: ratio(
      "menu: app, bytes in memory (in-process layer bound)",
      "menu: raw Bun.serve (ceiling)",
    ),
    cachedConfigShareOfCeiling: ratio("config: cache hit", "config: raw Bun.serve (ceiling)"),
    menuHitVsMissP50Speedup: byName("menu: cache miss", 1).p50Ms / byName("menu: cache hit", 1).p50Ms,
    mixHitRate: mix.hitRate,
  },
};
await Bun.write(new URL("./results/http-latest.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

console.log("| case | concurrency | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|");
for (const c of cases) console.log(`| ${c.name} | ${c.concurrency} | ${c.rps} | ${c.p50Ms} | ${c.p99Ms} |`);
console.log(`| realistic mix (${mix.writes} writes) | ${mix.concurrency} | ${mix.rps} | ${mix.p50Ms} | ${mix.p99Ms} |`);
console.log(`\ncached menu at ${(results.targets.cachedMenuShareOfCeiling * 100).toFixed(1)} % of the ceiling's req/s`);
console.log(
  `app serving the menu from memory at ${(results.targets.inProcessBoundShareOfCeiling * 100).toFixed(1)} % of the ceiling`,
);
console.log(
  `cached config at ${(results.targets.cachedConfigShareOfCeiling * 100).toFixed(1)} % of the ceiling's req/s`,
);
console.log(`menu p50: miss ${byName("menu: cache miss", 1).p50Ms} ms vs hit ${byName("menu: cache hit", 1).p50Ms} ms`);
console.log(`realistic mix hit rate ${(mix.hitRate * 100).toFixed(2)} % (${mix.hits} hits, ${mix.misses} misses)`);
console.log(
  `in-process cache hit (Redis round trip) p50 ${redisLookup.p50Ms.toFixed(3)} ms, p99 ${redisLookup.p99Ms.toFixed(3)} ms`,
);

redis.close();
child.kill();
await child.exited;
await local?.stop();
