/** A JSON-lines logger: one object per line on stdout (stderr for errors). */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
};

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, base: LogFields = {}): Logger {
  const threshold = rank[level];
  function write(at: Exclude<LogLevel, "silent">, message: string, fields?: LogFields): void {
    if (rank[at] < threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...base, ...fields });
    if (at === "error") console.error(line);
    else console.log(line);
  }
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}

/** Logs a Redis connection giving up and coming back (`TcpRedis`'s `onStateChange`). */
export function logRedisState(logger: Logger) {
  return (state: "lost" | "recovered", detail: { attempts: number; downMs: number }) => {
    if (state === "lost") logger.warn("redis connection lost; reconnecting until it answers");
    else logger.info("redis connection recovered", detail);
  };
}
