import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";

/**
 * Who owns a PGlite data directory. PGlite is one process's database: two processes opening the
 * same directory corrupt it. The owner writes `<dir>.lock` (created exclusively) with its pid and,
 * once it serves the database to other processes (db/pglite-server.ts), the loopback address.
 * A lock whose pid is gone is stale and taken over.
 */
export type PgliteOwner = { pid: number; address?: string; command?: string };

export class PgliteInUseError extends Error {
  override name = "PgliteInUseError";
}

export function lockPath(dir: string): string {
  return `${dir.replace(/\/+$/, "")}.lock`;
}

/** The live owner of `dir`, if any (a stale lock counts as none). */
export function pgliteOwner(dir: string): PgliteOwner | undefined {
  const path = lockPath(dir);
  if (!existsSync(path)) return undefined;
  let owner: PgliteOwner;
  try {
    owner = JSON.parse(readFileSync(path, "utf8")) as PgliteOwner;
  } catch {
    // Being written this very moment by a new owner, or garbage: not an owner we can reach.
    return undefined;
  }
  return isAlive(owner.pid) ? owner : undefined;
}

/** Takes `dir` for this process, or throws PgliteInUseError naming the live owner. */
export function claimPglite(dir: string): { serving(address: string): void; release(): void } {
  const path = lockPath(dir);
  const record: PgliteOwner = { pid: process.pid, command: process.argv.slice(1).join(" ").slice(0, 200) };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(record));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw inUse(dir, pgliteOwner(dir), error);
      const owner = pgliteOwner(dir);
      if (owner) throw inUse(dir, owner);
      // A stale lock from a process that died: take it over.
      rmSync(path, { force: true });
    }
  }
  return {
    serving(address) {
      writeFileSync(path, JSON.stringify({ ...record, address }));
    },
    release() {
      const owner = pgliteOwner(dir);
      if (owner?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

function inUse(dir: string, owner: PgliteOwner | undefined, cause?: unknown): PgliteInUseError {
  if (!owner) return new PgliteInUseError(`cannot lock ${dir}: ${(cause as Error)?.message ?? "unknown error"}`);
  return new PgliteInUseError(
    `the embedded database in ${dir} is open in process ${owner.pid} (${owner.command ?? "unknown command"}), ` +
      `which does not share it. Stop that process, or run this next to \`bun run dev\`, which serves it to other commands.`,
  );
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
