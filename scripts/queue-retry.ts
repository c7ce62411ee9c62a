import { UsageError } from "../src/runtime/command-line";
import { filterFrom, filterOptions, type QueueCommand, runQueueCommand } from "./queue-cli";

const ADMIN = { userId: 0, email: "cli", name: "ops CLI", isAdmin: true, memberships: [] };

/** `bun run queue:retry <id|all> [--queue q] [--job name] [--restaurant id]`: re-dispatches failed jobs. */
export const queueRetry: QueueCommand = {
  usage: `bun run queue:retry <job-id | all> [--queue <queue>] [--job <name>] [--restaurant <id>]

  Dispatches failed jobs again: one by id, or all matching the filters (filters go with all).`,
  options: filterOptions,
  positionals: 1,
  async run(services, { values, positionals }, io) {
    const [target] = positionals;
    const { scope, query } = filterFrom(values);
    if (target === "all") {
      const { retried } = await services.monitoring.failed.retryMatching(scope, query);
      return io.out(`retried ${retried} failed job(s)`);
    }
    if (Object.keys(query).length > 0 || scope.kind !== "all") {
      throw new UsageError("--queue, --job and --restaurant go with `all`, not with one job id");
    }
    await services.monitoring.failed.retryOne(ADMIN, target!);
    io.out(`retried ${target}`);
  },
};

if (import.meta.main) process.exit(await runQueueCommand(queueRetry, process.argv.slice(2)));
