import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { startWsProxy, type WsProxy } from "../../db/ws-proxy";
import type { Config } from "../../src/config";
import { startUpstashRestServer } from "../../src/redis/upstash-rest-server";
import type { TestDatabase } from "./database";
import { type SharedDatabase, shareDatabase } from "./shared-database";

/** A runtime the HTTP-level tests can run against: in process (`app.request()`), or a real server. */
export type TestRuntime = "bun" | "workerd" | "deno";
export type RemoteRuntime = Exclude<TestRuntime, "bun">;

export type RunningRuntime = { runtime: RemoteRuntime; url: string; output(): string; stop(): Promise<void> };

const root = new URL("../../", import.meta.url).pathname;
const UPSTASH_TOKEN = "runtime-test-token";
// A hook that times out never reaches its file's `stop()`: no runtime outlives the test process.
const children = new Set<Subprocess>();
process.on("exit", () => {
  for (const child of children) child.kill();
});

export async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * The Deno binary itself: `node_modules/.bin/deno` is a Node wrapper whose child would outlive a
 * kill. Its first run links the platform package's binary beside it (no download).
 */
function denoBinary(): string {
  const binary = `${root}node_modules/deno/deno`;
  if (!existsSync(binary)) Bun.spawnSync([`${root}node_modules/.bin/deno`, "--version"], { stdout: "ignore" });
  if (!existsSync(binary)) throw new Error(`no Deno binary at ${binary} (is the deno package installed?)`);
  return binary;
}

const WRANGLER = `${root}node_modules/.bin/wrangler`;
// No metrics prompt, no `Request.cf` download (offline CI waited for it), no interactive session.
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };

let workerBundle: Promise<string> | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Worker as `wrangler deploy` uploads it (its [build] step, then its bundle; entered through
 * test/support/workerd-entry.ts, which adds what wrangler dev's own bundling adds), built once per
 * test process by `wrangler deploy --dry-run`, with a copy of wrangler.toml that serves that bundle
 * as it is (`no_bundle`, no [build]). Every test file's `wrangler dev` starts from it:
 * bundling and the dashboard build at each start cost seconds per file, minutes per pass.
 */
function bundledWorker(): Promise<string> {
  workerBundle ??= (async () => {
    const dir = `${root}.wrangler/test-bundle-${process.pid}`;
    mkdirSync(`${root}.wrangler`, { recursive: true });
    // A test process does not always get to remove its own: remove those whose process is gone.
    for (const stale of readdirSync(`${root}.wrangler`, { withFileTypes: true })) {
      const pid = Number(/^test-bundle-(\d+)$/.exec(stale.name)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) rmSync(`${root}.wrangler/${stale.name}`, { recursive: true });
    }
    rmSync(dir, { recursive: true, force: true });
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    const entry = "test/support/workerd-entry.ts";
    const build = Bun.spawn([WRANGLER, "deploy", entry, "--dry-run", "--outdir", dir], {
      cwd: root,
      env: { ...process.env, ...WRANGLER_ENV },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(build.stdout).text(),
      new Response(build.stderr).text(),
      build.exited,
    ]);
    if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${out}${err}`);
    const { build: _build, ...config } = Bun.TOML.parse(readFileSync(`${root}wrangler.toml`, "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(`${dir}/wrangler.json`, JSON.stringify({ ...config, main: "workerd-entry.js", no_bundle: true }));
    return `${dir}/wrangler.json`;
  })();
  return workerBundle;
}

async function command(runtime: RemoteRuntime, port: number, vars: Record<string, string>): Promise<string[]> {
  if (runtime === "workerd") {
    const args = [WRANGLER, "dev", "--local", "--config", await bundledWorker(), "--ip", "127.0.0.1"];
    args.push("--port", String(port), "--show-interactive-dev-session=false");
    for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
    return args;
  }
  return [denoBinary(), "run", "-A", "--unstable-raw-imports", "--quiet", `${root}src/deno.ts`];
}

/**
 * Serves the app on a real runtime (workerd through `wrangler dev --local`, or Deno 2) over this
 * test's own database and Redis prefix: the database through pglite-socket (or the Postgres copy)
 * and the Neon driver's ws proxy, Redis behind the Upstash REST contract. `vars` are extra settings.
 */
export async function startRuntime(
  runtime: RemoteRuntime,
  world: { config: Config; database: TestDatabase },
  vars: Record<string, string> = {},
): Promise<RunningRuntime> {
  const shared: SharedDatabase = await shareDatabase(world.database);
  // PGlite is one session: its connections take turns a request at a time.
  const proxy: WsProxy = startWsProxy(0, { takeTurns: world.database.pglite !== undefined });
  const upstash = await startUpstashRestServer({ redisUrl: world.config.REDIS_URL!, token: UPSTASH_TOKEN });
  const port = await freePort();
  const settings = {
    NODE_ENV: "test",
    DATABASE_URL: shared.env.DATABASE_URL!,
    DATABASE_WS_PROXY: proxy.address,
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: UPSTASH_TOKEN,
    JWT_SECRET: world.config.JWT_SECRET ?? "",
    REDIS_PREFIX: world.config.REDIS_PREFIX,
    QUEUE_SHARDS: String(world.config.QUEUE_SHARDS),
    LOG_LEVEL: "error",
    PORT: String(port),
    // The test process's limits (test/support/preload.ts: far apart), as the in-process app has them.
    ...Object.fromEntries(
      Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith("RATE_LIMIT_")),
    ),
    ...vars,
  };
  let output = "";
  const child: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(await command(runtime, port, settings), {
    cwd: root,
    env: { ...process.env, ...(runtime === "deno" ? settings : WRANGLER_ENV) },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const decoder = new TextDecoder();
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      const reader = stream.getReader();
      // Ends when the runtime closes its output (it exited).
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        output += decoder.decode(value);
      }
    })();
  }
  const url = `http://127.0.0.1:${port}`;
  children.add(child);
  async function stop() {
    // The app's own error lines (LOG_LEVEL=error) explain a failing test: show the last ones.
    const errors = output.split("\n").filter((line) => line.includes('"level":"error"'));
    if (errors.length > 0) console.error(`${runtime} logged errors:\n${errors.slice(-5).join("\n")}`);
    child.kill();
    // wrangler stops workerd first; one that hangs is killed.
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
    if (!exited) child.kill("SIGKILL");
    await child.exited;
    children.delete(child);
    await upstash.stop();
    proxy.stop();
    await shared.stop();
  }
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      // Any answer: a misconfigured runtime answers 500, and that is what some tests look for.
      await fetch(`${url}/healthz`);
      break;
    } catch {
      // Still starting.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${runtime} did not start (exit ${child.exitCode}):\n${output}`);
    }
    await Bun.sleep(200);
  }
  return { runtime, url, output: () => output, stop };
}
