import { eq } from "drizzle-orm";
import { openConfiguredDatabaseOrExit } from "../db/client";
import { users } from "../db/schema";
import { issueToken } from "../src/auth/tokens";
import { loadConfigOrExit } from "../src/config";
import { exitWithUsage, intFlag, parseCommandLine } from "../src/runtime/command-line";

const USAGE = `bun run token --email <email> [--ttl <seconds>]

  Prints a bearer token for a user of the configured database (DATABASE_URL, else the embedded
  PGlite — the one \`bun run dev\` serves while it runs). --ttl defaults to, and may not exceed,
  AUTH_TOKEN_MAX_AGE_SECONDS (24 h by default).
  demo users: admin@demo.test owner@demo.test manager@demo.test owner2@demo.test staff@demo.test customer@demo.test`;

/**
 * `bun run token --email owner@demo.test`: prints an HS256 bearer token for a user, signed with the
 * JWT_SECRET the API uses (in development on loopback, the public dev secret). Its lifetime is
 * at most AUTH_TOKEN_MAX_AGE_SECONDS (the default). With an OpenID Connect issuer configured,
 * tokens come from the issuer instead.
 */
const { values } = parseCommandLine({
  usage: USAGE,
  options: { email: { type: "string" }, ttl: { type: "string" } },
});
const config = loadConfigOrExit({}, { defaults: { NODE_ENV: "development" } });
let ttl: number;
try {
  if (!values.email) throw new Error("--email is required");
  ttl =
    values.ttl === undefined
      ? config.AUTH_TOKEN_MAX_AGE_SECONDS
      : intFlag(values.ttl, "ttl", 1, config.AUTH_TOKEN_MAX_AGE_SECONDS);
} catch (error) {
  exitWithUsage({ usage: USAGE }, error);
}
if (!config.JWT_SECRET) {
  console.error(
    config.AUTH_JWKS_URL
      ? "an OpenID Connect issuer is configured (AUTH_JWKS_URL): get tokens from it; this command signs HS256 tokens only"
      : `no JWT_SECRET: set one (the API must use the same), or NODE_ENV=development with a loopback HOST for the dev secret`,
  );
  process.exit(1);
}
const database = await openConfiguredDatabaseOrExit(config);
const user = await database.db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, values.email) });
await database.close();
if (!user) {
  console.error(`no user with email ${values.email} (did you run \`bun run db:seed\` or \`bun run dev\`?)`);
  process.exit(1);
}
console.log(await issueToken(config, user.id, ttl));
