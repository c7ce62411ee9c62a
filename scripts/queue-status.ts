import { ALL, columns, type QueueCommand, runQueueCommand } from "./queue-cli";

/** `bun run queue:status [--json]`: every queue's depth, failures and workers. */
export const queueStatus: QueueCommand = {
  usage: `bun run queue:status [--json]

  Every queue's depth, failures, throughput and live workers, and the overall status: down (with
  why) when jobs wait that no live worker serves, degraded when a queue is paused, a job waited
  too long or a worker died.`,
  options: { json: { type: "boolean" } },
  positionals: 0,
  async run(services, { values }, io) {
    const overview = await services.monitoring.overview(ALL);
    if (values.json) return io.out(JSON.stringify(overview, null, 2));
    io.out(`status: ${overview.status}`);
    for (const reason of overview.reasons) io.out(`  - ${reason.message}`);
    const header = ["queue", "paused", "waiting", "in-flight", "delayed", "failed", "done/1h", "failed/1h", "workers"];
    const rows = overview.queues.map((q) => [
      q.queue,
      q.paused ? "yes" : "no",
      q.waiting,
      q.inFlight,
      q.delayed,
      q.failed,
      q.processedLastHour,
      q.failedLastHour,
      q.workers,
    ]);
    for (const line of columns([header, ...rows])) io.out(line);
  },
};

if (import.meta.main) process.exit(await runQueueCommand(queueStatus, process.argv.slice(2)));
