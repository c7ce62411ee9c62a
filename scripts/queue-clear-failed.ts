import { UsageError } from "../src/runtime/command-line";
import { filterFrom, filterOptions, type QueueCommand, runQueueCommand } from "./queue-cli";

/** `bun run queue:clear-failed --yes [--queue q] [--job name] [--restaurant id]`: deletes failed jobs for good. */
export const queueClearFailed: QueueCommand = {
  usage: `bun run queue:clear-failed --yes [--queue <queue>] [--job <name>] [--restaurant <id>]

  Deletes failed jobs for good (all, or those matching the filters); without --yes it only says how many.`,
  options: { ...filterOptions, yes: { type: "boolean" } },
  positionals: 0,
  async run(services, { values }, io) {
    const { scope, query } = filterFrom(values);
    if (!values.yes) {
      const page = await services.monitoring.failed.list(scope, query, { limit: 1, offset: 0 });
      throw new UsageError(`this deletes ${page.total} failed job(s) for good; add --yes to do it`);
    }
    const { deleted } = await services.monitoring.failed.clear(scope, query);
    io.out(`deleted ${deleted} failed job(s)`);
  },
};

if (import.meta.main) process.exit(await runQueueCommand(queueClearFailed, process.argv.slice(2)));
