import { type QueueCommand, runQueueCommand } from "./queue-cli";

/** `bun run queue:pause <queue>` and (scripts/queue-resume.ts) `bun run queue:resume <queue>`. */
function pauseCommand(paused: boolean): QueueCommand {
  return {
    usage: paused
      ? `bun run queue:pause <queue>

  Stops every worker from taking jobs of <queue> (high, default, low): no job is started after
  this returns; running jobs finish, new ones wait. Undo with queue:resume.`
      : `bun run queue:resume <queue>

  Lets workers take jobs of <queue> again (within a second).`,
    options: {},
    positionals: 1,
    async run(services, { positionals }, io) {
      const [queue] = positionals as [string];
      services.monitoring.assertQueue(queue);
      await services.monitoring.setPaused(queue, paused);
      io.out(
        paused
          ? `${queue}: paused (running jobs finish; waiting ones stay until \`bun run queue:resume ${queue}\`)`
          : `${queue}: resumed`,
      );
    },
  };
}

export const queuePause = pauseCommand(true);
export const queueResume = pauseCommand(false);

if (import.meta.main) process.exit(await runQueueCommand(queuePause, process.argv.slice(2)));
