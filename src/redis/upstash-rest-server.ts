import { connectResp2, Resp2Error, type Resp2Reply, Resp2Status } from "./resp2-client";

/**
 * A loopback server speaking Upstash's REST contract over a real Redis:
 * `POST /` with `["CMD", ...args]` → `{ result }` or `{ error }` (400);
 * `POST /pipeline` with `[[...], ...]` → `[{ result } | { error }, ...]`;
 * bearer token auth; `Upstash-Encoding: base64` encodes bulk strings.
 * Upstash is a third party we cannot reach from tests or a laptop: this is its contract, for
 * the tests and for `bun run dev:edge` (the API in workerd on the dev command's Redis).
 */
export async function startUpstashRestServer(options: { redisUrl: string; token: string }) {
  const redis = await connectResp2(options.redisUrl);

  function encodeResult(value: Resp2Reply | Resp2Status, base64: boolean): unknown {
    if (value instanceof Resp2Status) return value.value;
    if (typeof value === "string") return base64 ? Buffer.from(value).toString("base64") : value;
    if (Array.isArray(value)) return value.map((v) => encodeResult(v, base64));
    return value;
  }

  // One Redis connection, commands written strictly in arrival order (as a REST endpoint would
  // run them) and pipelined: replies come back in the same order.
  function run(command: unknown[]): Promise<Resp2Reply | Resp2Status> {
    return redis.send(command as string[]);
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (req.headers.get("authorization") !== `Bearer ${options.token}`) {
        return Response.json({ error: "Unauthorized" }, { status: 401 });
      }
      const base64 = req.headers.get("upstash-encoding") === "base64";
      const body = (await req.json()) as unknown[];
      const path = new URL(req.url).pathname;
      if (path === "/pipeline") {
        const replies = await Promise.all((body as unknown[][]).map(run));
        return Response.json(
          replies.map((reply) =>
            reply instanceof Resp2Error ? { error: reply.message } : { result: encodeResult(reply, base64) },
          ),
        );
      }
      const reply = await run(body);
      if (reply instanceof Resp2Error) return Response.json({ error: reply.message }, { status: 400 });
      return Response.json({ result: encodeResult(reply, base64) });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop(true);
      redis.close();
    },
  };
}
