import { runQueueCommand } from "./queue-cli";
import { queueResume } from "./queue-pause";

if (import.meta.main) process.exit(await runQueueCommand(queueResume, process.argv.slice(2)));
