import { ALL, columns, type QueueCommand, runQueueCommand } from "./queue-cli";

/** `bun run queue:workers [--json]`: every worker from its heartbeats, live ones first. */
export const queueWorkers: QueueCommand = {
  usage: `bun run queue:workers [--json]

  Every worker that sent a heartbeat in the last hour, live ones first: state, host and pid,
  queues, concurrency, jobs in flight, processed and failed counts, and the heartbeat's age.
  A worker that missed its heartbeats is dead; its jobs are reclaimed by the live ones.`,
  options: { json: { type: "boolean" } },
  positionals: 0,
  async run(services, { values }, io) {
    const { workers } = await services.monitoring.workers(ALL);
    const ordered = [...workers].sort((a, b) => Number(b.alive) - Number(a.alive));
    if (values.json) return io.out(JSON.stringify({ workers: ordered }, null, 2));
    const live = ordered.filter((w) => w.alive).length;
    io.out(`${live} live worker(s), ${ordered.length - live} stopped or dead`);
    if (ordered.length === 0) return;
    const header = ["id", "state", "host", "pid", "queues", "concurrency", "in-flight", "processed", "failed", "beat"];
    const rows = ordered.map((w) => [
      w.id,
      w.dead ? "dead" : w.state,
      w.host,
      w.pid,
      w.queues.join(","),
      w.concurrency,
      w.inFlight.length,
      w.processed,
      w.failed,
      `${Math.round(w.heartbeatAgeMs / 1000)}s ago`,
    ]);
    for (const line of columns([header, ...rows])) io.out(line);
  },
};

if (import.meta.main) process.exit(await runQueueCommand(queueWorkers, process.argv.slice(2)));
