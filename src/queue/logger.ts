/** The queue's logging seam; the app passes its own logger, the default writes JSON lines. */
export type QueueLogger = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

type Level = "debug" | "info" | "warn" | "error" | "silent";
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** A JSON-lines logger on stdout/stderr that drops messages below `level`. */
export function consoleLogger(level: Level = "info", base: Record<string, unknown> = {}): QueueLogger {
  function write(at: Exclude<Level, "silent">, message: string, fields?: Record<string, unknown>): void {
    if (rank[at] < rank[level]) return;
    const line = JSON.stringify({ level: at, time: new Date().toISOString(), msg: message, ...base, ...fields });
    if (at === "error" || at === "warn") console.error(line);
    else console.log(line);
  }
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}

/** A logger with extra fields on every line (job id, attempt, …). */
export function childLogger(parent: QueueLogger, fields: Record<string, unknown>): QueueLogger {
  return {
    debug: (m, f) => parent.debug(m, { ...fields, ...f }),
    info: (m, f) => parent.info(m, { ...fields, ...f }),
    warn: (m, f) => parent.warn(m, { ...fields, ...f }),
    error: (m, f) => parent.error(m, { ...fields, ...f }),
  };
}
