import type { CachingService } from "../../src/cache/caching-service";
import { seededRandom } from "../../src/pos/simulator/faults";
import { type LoadResult, runLoad, zipfSampler } from "./load";

const RESTAURANTS = [1, 2, 3];
const WRITE_SHARE = 0.002;
const CONCURRENCY = 32;

export type MixResult = LoadResult & {
  concurrency: number;
  writes: number;
  /** Per request, from each read's `X-Cache` header. */
  hitRate: number;
  readsHit: number;
  readsMissed: number;
  /** Per cache lookup, from the cache's statistics: concurrent identical reads share one lookup. */
  lookupHitRate: number;
  hits: number;
  misses: number;
};

/**
 * The realistic mix: restaurants drawn by Zipf (s = 1.1), client reads in
 * proportion (menu 50 %, a branch's menu 15 %, restaurant 15 %, loyalty 10 %,
 * categories 5 %, config 5 %), and 0.2 % writes that invalidate: half config
 * updates through the API, half POS menu syncs (`invalidateMenu`). The hit
 * rate is counted per request (`X-Cache`) and per lookup (the cache's
 * statistics, before and after).
 */
export async function runMix(options: {
  api: string;
  cache: CachingService;
  owner: Record<string, string>;
  durationMs: number;
}): Promise<MixResult> {
  const random = seededRandom(42);
  const pickRestaurant = zipfSampler(RESTAURANTS.length, 1.1, random);
  const branches = new Map<number, number[]>();
  for (const id of RESTAURANTS) {
    const body = (await (await fetch(`${options.api}/v1/restaurants/${id}`)).json()) as { branches: { id: number }[] };
    branches.set(
      id,
      body.branches.map((b) => b.id),
    );
  }
  const configs = new Map<number, Record<string, unknown>>();
  for (const id of RESTAURANTS) {
    const res = await fetch(`${options.api}/v1/restaurants/${id}/config`, { headers: options.owner });
    configs.set(id, ((await res.json()) as { config: Record<string, unknown> }).config);
  }
  await options.cache.invalidateAll();
  const before = await options.cache.stats();
  let writes = 0;
  let readsHit = 0;
  let readsMissed = 0;

  function send(): Promise<Response> {
    const id = RESTAURANTS[pickRestaurant()] ?? 1;
    const r = random();
    if (r < WRITE_SHARE) {
      writes += 1;
      if (writes % 2 === 0) return options.cache.invalidateMenu(id).then(() => new Response(null, { status: 204 }));
      const config = { ...configs.get(id), prepTimeMinutes: 15 + (writes % 20) };
      return fetch(`${options.api}/v1/restaurants/${id}/config`, {
        method: "PUT",
        headers: { ...options.owner, "content-type": "application/json" },
        body: JSON.stringify(config),
      });
    }
    return read(id).then((res) => {
      const source = res.headers.get("x-cache");
      if (source === "hit") readsHit += 1;
      else if (source === "miss") readsMissed += 1;
      return res;
    });
  }

  function read(id: number): Promise<Response> {
    const base = `${options.api}/v1/restaurants/${id}`;
    const own = branches.get(id) ?? [];
    const pick = random();
    if (pick < 0.5) return fetch(`${base}/menu`);
    if (pick < 0.65) return fetch(`${base}/menu?branchId=${own[Math.floor(random() * own.length)]}`);
    if (pick < 0.8) return fetch(base);
    if (pick < 0.9) return fetch(`${base}/loyalty-rules`);
    if (pick < 0.95) return fetch(`${base}/categories`);
    return fetch(`${base}/config`, { headers: options.owner });
  }

  const load = await runLoad({ send, concurrency: CONCURRENCY, durationMs: options.durationMs, warmupMs: 0 });
  const after = await options.cache.stats();
  const hits = after.totals.hits - before.totals.hits;
  const misses = after.totals.misses - before.totals.misses;
  return {
    ...load,
    concurrency: CONCURRENCY,
    writes,
    hitRate: readsHit / (readsHit + readsMissed),
    readsHit,
    readsMissed,
    lookupHitRate: hits / (hits + misses),
    hits,
    misses,
  };
}
