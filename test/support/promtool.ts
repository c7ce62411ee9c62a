import { loadConfig } from "../../src/config";

/**
 * `promtool` (Debian's `prometheus` package), or "absent". CI sets REQUIRE_PROMTOOL=true: there
 * a missing promtool throws instead of letting the checks pass unseen.
 */
export function promtool(): string | "absent" {
  const path = Bun.which("promtool");
  if (path) return path;
  if (loadConfig().REQUIRE_PROMTOOL) throw new Error("promtool is required (REQUIRE_PROMTOOL=true) but not installed");
  return "absent";
}

/** Runs `promtool check metrics` on an exposition; every line it prints is a problem. */
export async function promtoolCheckMetrics(text: string): Promise<"absent" | { exitCode: number; problems: string[] }> {
  const bin = promtool();
  if (bin === "absent") return "absent";
  const child = Bun.spawn([bin, "check", "metrics"], {
    stdin: new TextEncoder().encode(text),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const problems = `${out}\n${err}`
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return { exitCode, problems };
}
