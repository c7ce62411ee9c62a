import { columns, filterFrom, filterOptions, positiveInt, type QueueCommand, runQueueCommand } from "./queue-cli";

/** `bun run queue:failed [--queue q] [--job name] [--restaurant id] [--limit n] [--json]`: failed jobs, newest first. */
export const queueFailed: QueueCommand = {
  usage: `bun run queue:failed [--queue <queue>] [--job <name>] [--restaurant <id>] [--limit <n>] [--json]

  Failed jobs, newest first (default 50), with their reason and first error line.`,
  options: { ...filterOptions, limit: { type: "string" }, json: { type: "boolean" } },
  positionals: 0,
  async run(services, { values }, io) {
    const { scope, query } = filterFrom(values);
    const limit = positiveInt(values.limit, "limit", 50);
    const page = await services.monitoring.failed.list(scope, query, { limit, offset: 0 });
    if (values.json) return io.out(JSON.stringify(page, null, 2));
    io.out(`${page.total} failed job(s)${page.total > page.jobs.length ? `, newest ${page.jobs.length} shown` : ""}`);
    if (page.jobs.length === 0) return;
    const rows = page.jobs.map((j) => [
      j.id,
      j.name,
      j.queue,
      j.restaurantId,
      j.reason,
      new Date(j.failedAt).toISOString(),
      j.error.split("\n")[0]!.slice(0, 80),
    ]);
    for (const line of columns([["id", "job", "queue", "restaurant", "reason", "failed at", "error"], ...rows])) {
      io.out(line);
    }
  },
};

if (import.meta.main) process.exit(await runQueueCommand(queueFailed, process.argv.slice(2)));
