/**
 * Load from a process of its own, pinned to a CPU the server does not use, so
 * the client's cost does not come out of the server's (or the raw ceiling's)
 * budget: `wrk` when it is installed, else the built-in closed-loop generator
 * (`load-process.ts`) in a child Bun process.
 */
import type { LoadResult } from "./load";

export const WRK_INSTALL_HINT =
  "wrk is not installed (Debian/Ubuntu: `apt-get install -y wrk`, macOS: `brew install wrk`); " +
  "falling back to the built-in load generator, in a pinned process of its own";

const taskset = Bun.which("taskset");
const wrk = Bun.which("wrk");

export const loadGenerator: "wrk" | "bun" = wrk ? "wrk" : "bun";
export const pinning = taskset !== null;

/** `argv` run on one CPU when `taskset` exists (Linux), else as it is. */
export function pinnedTo(cpu: number, argv: string[]): string[] {
  return taskset ? [taskset, "-c", String(cpu), ...argv] : argv;
}

export type ExternalLoad = {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  cpu: number;
};

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/** Parses `wrk --latency` output into the shape every case reports. */
export function parseWrk(output: string, durationMs: number): LoadResult {
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? "";
  const p99 = /^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? "";
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  if (!Number.isFinite(requests) || !Number.isFinite(rps)) throw new Error(`unreadable wrk output:\n${output}`);
  return {
    requests,
    rps: Math.round(rps || requests / (durationMs / 1000)),
    p50Ms: round(wrkMs(p50)),
    p99Ms: round(wrkMs(p99)),
    errors: non2xx + socketErrors,
  };
}

/** Runs one load case in its own pinned process and returns what it measured. */
export async function runExternalLoad(load: ExternalLoad): Promise<LoadResult> {
  const seconds = Math.max(1, Math.round(load.durationMs / 1000));
  const headerArgs = Object.entries(load.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const argv = wrk
    ? [wrk, "-t1", `-c${load.concurrency}`, `-d${seconds}s`, "--latency", ...headerArgs, load.url]
    : [
        "bun",
        new URL("./load-process.ts", import.meta.url).pathname,
        JSON.stringify({ ...load, durationMs: seconds * 1000 }),
      ];
  const child = Bun.spawn(pinnedTo(load.cpu, argv), { stdout: "pipe", stderr: "inherit" });
  const output = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`load generator failed:\n${output}`);
  return wrk ? parseWrk(output, seconds * 1000) : (JSON.parse(output) as LoadResult);
}
