import { Redis as Tcp } from "ioredis";
import { RestRedis } from "../src/redis/rest";

/**
 * Runs under Deno (spawned by bench/deno-redis.ts): the same Redis work over REST (our
 * RestRedis: @upstash/redis) and over TCP (ioredis through Deno's Node compatibility), so the
 * choice for src/deno.ts (docs/decisions/0017) rests on numbers from this machine.
 */
declare const Deno: { env: { get(name: string): string | undefined } };
const rest = new RestRedis({ url: Deno.env.get("REST_URL")!, token: Deno.env.get("REST_TOKEN")! });
const tcp = new Tcp(Deno.env.get("REDIS_URL")!, { lazyConnect: false });
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 300);
const prefix = Deno.env.get("PREFIX")!;

async function timed(name: string, run: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const p = (q: number) => Math.round(samples[Math.floor(q * (samples.length - 1))]! * 1000) / 1000;
  return { name, p50: p(0.5), p95: p(0.95) };
}

await tcp.set(`${prefix}:k`, "v");
const results = [
  await timed("REST: one GET", () => rest.send("GET", [`${prefix}:k`])),
  await timed("TCP: one GET", () => tcp.get(`${prefix}:k`)),
  await timed("REST: 50 GETs at once", () =>
    Promise.all(Array.from({ length: 50 }, () => rest.send("GET", [`${prefix}:k`]))),
  ),
  await timed("TCP: 50 GETs at once", () => Promise.all(Array.from({ length: 50 }, () => tcp.get(`${prefix}:k`)))),
];
console.log(JSON.stringify(results));
await tcp.del(`${prefix}:k`);
tcp.disconnect();
