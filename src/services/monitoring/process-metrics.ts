import packageJson from "../../../package.json" with { type: "json" };

/** The conventional process metrics, where the runtime can tell them (Workers cannot). */
export type ProcessMetrics = {
  residentMemoryBytes: number | null;
  cpuSeconds: number | null;
  startTimeSeconds: number | null;
};

export type BuildInfo = { version: string; runtime: "bun" | "deno" | "workerd" | "unknown"; commit: string };

/** Each reading on its own: a runtime that lacks one (or stubs it and throws) still gives the others. */
function reading(read: () => number): number | null {
  try {
    const value = read();
    return Number.isFinite(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

export function readProcessMetrics(): ProcessMetrics {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (!proc) return { residentMemoryBytes: null, cpuSeconds: null, startTimeSeconds: null };
  return {
    residentMemoryBytes: reading(() => proc.memoryUsage().rss),
    cpuSeconds: reading(() => {
      const { user, system } = proc.cpuUsage();
      return (user + system) / 1e6;
    }),
    startTimeSeconds: reading(() => Math.floor(Date.now() / 1000 - proc.uptime())),
  };
}

function detectRuntime(): BuildInfo["runtime"] {
  const g = globalThis as { Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: string } };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  return "unknown";
}

let localCommit: string | null | undefined;

/** The checkout's commit on Bun (`git rev-parse`), looked up once; null elsewhere or outside a checkout. */
function gitCommit(): string | null {
  if (localCommit !== undefined) return localCommit;
  localCommit = null;
  if (typeof Bun === "undefined") return localCommit;
  try {
    const result = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], {
      cwd: new URL("../../..", import.meta.url).pathname,
      stdout: "pipe",
      stderr: "ignore",
    });
    const text = result.stdout.toString().trim();
    if (result.exitCode === 0 && /^[0-9a-f]{7,40}$/.test(text)) localCommit = text;
  } catch {
    // No git on the machine: the commit stays unknown.
  }
  return localCommit;
}

/** `foodhub_build_info`'s labels: package version, runtime, and the commit (BUILD_COMMIT, else git, else "unknown"). */
export function buildInfo(configuredCommit: string | undefined): BuildInfo {
  return {
    version: packageJson.version,
    runtime: detectRuntime(),
    commit: configuredCommit ?? gitCommit() ?? "unknown",
  };
}
