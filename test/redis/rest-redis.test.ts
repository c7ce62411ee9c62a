import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { z } from "zod";
import { loadConfig } from "../../src/config";
import { defineJob } from "../../src/queue/job";
import { Queue } from "../../src/queue/queue";
import { Worker } from "../../src/queue/worker";
import { toRecord, toScoredMembers, toStreamReply } from "../../src/redis/replies";
import { RestRedis } from "../../src/redis/rest";
import { defineScript, runScript } from "../../src/redis/script";
import type { RedisConnection } from "../../src/redis/types";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

let tcp: RedisConnection;
let rest: RestRedis;
let server: Awaited<ReturnType<typeof startUpstashRestServer>>;
const prefix = uniquePrefix("rest");

beforeAll(async () => {
  tcp = await testRedis();
  server = await startUpstashRestServer({ redisUrl: loadConfig().REDIS_URL!, token: "test-token" });
  rest = new RestRedis({ url: server.url, token: "test-token" });
});
afterAll(async () => {
  await deleteKeys(tcp, prefix);
  await server.stop();
  tcp.close();
});

describe("Redis over Upstash REST", () => {
  it("returns the same normalised replies as the TCP client", async () => {
    await rest.send("HSET", [`${prefix}:h`, "a", "1", "b", "two words"]);
    expect(toRecord(await rest.send("HGETALL", [`${prefix}:h`]))).toEqual(
      toRecord(await tcp.send("HGETALL", [`${prefix}:h`])),
    );
    await rest.send("ZADD", [`${prefix}:z`, "1.5", "m1", "3", "m2"]);
    const zrange = [`${prefix}:z`, "0", "-1", "WITHSCORES"];
    expect(toScoredMembers(await rest.send("ZRANGE", zrange))).toEqual([
      ["m1", 1.5],
      ["m2", 3],
    ]);
    expect(toScoredMembers(await rest.send("ZRANGE", zrange))).toEqual(
      toScoredMembers(await tcp.send("ZRANGE", zrange)),
    );
    expect(await rest.send("GET", [`${prefix}:missing`])).toBeNull();
    expect(await rest.send("INCR", [`${prefix}:n`])).toBe(1);
  });

  it("reads streams in the RESP2 shape and normalises them like RESP3", async () => {
    const stream = `${prefix}:s`;
    await rest.send("XGROUP", ["CREATE", stream, "g", "0", "MKSTREAM"]);
    await rest.send("XADD", [stream, "*", "job", '{"x":1}']);
    const reply = toStreamReply(
      await rest.send("XREADGROUP", ["GROUP", "g", "c", "COUNT", 10, "STREAMS", stream, ">"]),
    );
    expect(reply.get(stream)?.[0]?.fields).toEqual({ job: '{"x":1}' });
  });

  it("runs Lua scripts by SHA, loading them on NOSCRIPT", async () => {
    const script = defineScript(`rest-test-${Date.now()}`, 1, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
    expect(await runScript(rest, script, [`${prefix}:lua`], [5])).toBe(5);
    expect(await runScript(rest, script, [`${prefix}:lua`], [2])).toBe(7);
  });

  it("reports errors in place in a pipeline and refuses dedicated connections", async () => {
    const [ok, bad] = await rest.pipeline([
      ["SET", [`${prefix}:p`, "v"]],
      ["INCR", [`${prefix}:p`]],
    ]);
    expect(ok).toBe("OK");
    expect(bad).toBeInstanceOf(Error);
    await expect(rest.duplicate()).rejects.toThrow(/TCP/);
  });

  it("lets the edge dispatch jobs that a Bun worker on TCP runs", async () => {
    const seen: number[] = [];
    const Echo = defineJob({
      name: "RestEcho",
      queue: "default",
      tries: 1,
      backoff: [],
      timeout: 5,
      payload: z.object({ n: z.number() }),
      handle: (p) => {
        seen.push(p.n);
      },
    });
    const queuePrefix = `${prefix}:q`;
    const worker = new Worker({ redis: tcp, prefix: queuePrefix, jobs: [Echo], blockMs: 100, promoteIntervalMs: 50 });
    await worker.start();
    const edgeQueue = new Queue({ redis: rest, prefix: queuePrefix });
    await edgeQueue.dispatchMany(Echo, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    for (let i = 0; i < 100 && seen.length < 3; i++) await Bun.sleep(20);
    await worker.stop();
    expect(seen.sort()).toEqual([1, 2, 3]);
  });
});
