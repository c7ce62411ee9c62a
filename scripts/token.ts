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

/**
 * `bun run token --email owner@demo.test`: prints an HS256 bearer token for a user, signed with the
 * JWT_SECRET the API uses (in development on loopback, the public dev secret). Its lifetime is
 * at most AUTH_TOKEN_MAX_AGE_SECONDS (the default). With an OpenID Connect issuer configured,
 * tokens come from the issuer instead.
 */
const { values } = parseArgs({ options: { email: { type: "string" }, ttl: { type: "string" } } });
if (!values.email) {
  console.error(
    "usage: bun run token --email <email> [--ttl seconds, at most AUTH_TOKEN_MAX_AGE_SECONDS]\ndemo users: admin@demo.test owner@demo.test manager@demo.test owner2@demo.test staff@demo.test customer@demo.test",
  );
  process.exit(2);
}
const config = loadConfigOrExit({}, { defaults: { NODE_ENV: "development" } });
if (!config.JWT_SECRET) {
  console.error(
    config.AUTH_JWKS_URL
      ? "an OpenID Connect issuer is configured (AUTH_JWKS_URL): get tokens from it; this command signs HS256 tokens only"
      : `no JWT_SECRET: set one (the API must use the same), or NODE_ENV=development with a loopback HOST for the dev secret`,
  );
  process.exit(1);
}
const ttl = values.ttl === undefined ? config.AUTH_TOKEN_MAX_AGE_SECONDS : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1 || ttl > config.AUTH_TOKEN_MAX_AGE_SECONDS) {
  console.error(
    `--ttl must be whole seconds between 1 and AUTH_TOKEN_MAX_AGE_SECONDS (${config.AUTH_TOKEN_MAX_AGE_SECONDS})`,
  );
  process.exit(2);
}
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
console.log(await issueToken(config, user.id, ttl));
