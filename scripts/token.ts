import { eq } from "drizzle-orm";
import { openConfiguredDatabaseOrExit } from "../db/client";
import { users } from "../db/schema";
import { issueToken } from "../src/auth/tokens";
import { loadConfigOrExit } from "../src/config";
import { exitWithUsage, intFlag, parseCommandLine } from "../src/runtime/command-line";

const USAGE = `bun run token --email <email> [--ttl <seconds>]

  Prints a bearer token for a user of the configured database (DATABASE_URL, else the embedded
  PGlite — the one \`bun run dev\` serves while it runs). --ttl defaults to 7 days.
  demo users: admin@demo.test owner@demo.test manager@demo.test owner2@demo.test staff@demo.test customer@demo.test`;

/** `bun run token --email owner@demo.test`: prints a bearer token for a user. */
const { values } = parseCommandLine({
  usage: USAGE,
  options: { email: { type: "string" }, ttl: { type: "string", default: String(7 * 24 * 3600) } },
});
let ttl: number;
try {
  if (!values.email) throw new Error("--email is required");
  ttl = intFlag(values.ttl, "ttl", 1);
} catch (error) {
  exitWithUsage({ usage: USAGE }, error);
}
const config = loadConfigOrExit();
const database = await openConfiguredDatabaseOrExit(config);
const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, values.email) });
await database.close();
if (!user) {
  console.error(`no user with email ${values.email} (did you run \`bun run db:seed\` or \`bun run dev\`?)`);
  process.exit(1);
}
console.log(await issueToken(config.JWT_SECRET, user.id, ttl));
