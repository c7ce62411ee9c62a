import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { openConfiguredDatabase } from "../db/client";
import { users } from "../db/schema";
import { issueToken } from "../src/auth/tokens";
import { loadConfigOrExit } from "../src/config";
import { DEMO_TOKENS_FILE, DEV_PID_FILE } from "./dev-system";

function devIsRunning(): boolean {
  if (!existsSync(DEV_PID_FILE)) return false;
  try {
    process.kill(Number(readFileSync(DEV_PID_FILE, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
}

/** `bun run token --email owner@demo.test`: prints a bearer token for a user. */
const { values } = parseArgs({
  options: { email: { type: "string" }, ttl: { type: "string", default: String(7 * 24 * 3600) } },
});
if (!values.email) {
  console.error(
    "usage: bun run token --email <email> [--ttl seconds]\ndemo users: admin@demo.test owner@demo.test manager@demo.test owner2@demo.test staff@demo.test customer@demo.test",
  );
  process.exit(2);
}
const config = loadConfigOrExit();
if (!config.DATABASE_URL && devIsRunning()) {
  console.error(
    `bun run dev is running and owns the embedded database; its demo users' tokens are in ${DEMO_TOKENS_FILE}`,
  );
  process.exit(1);
}
const database = await openConfiguredDatabase(config);
const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, values.email) });
await database.close();
if (!user) {
  console.error(`no user with email ${values.email} (did you run \`bun run db:seed\` or \`bun run dev\`?)`);
  process.exit(1);
}
console.log(await issueToken(config.JWT_SECRET, user.id, Number(values.ttl)));
