/** Resident memory of another process, from /proc (Linux); null where /proc is missing. */

async function statusField(pid: number, field: "VmRSS" | "VmHWM"): Promise<number | null> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    return kib ? Number(kib) / 1024 : null;
  } catch {
    return null;
  }
}

/** Current resident set, in MiB. */
export const rssMiB = (pid: number) => statusField(pid, "VmRSS");

/**
 * The peak resident set while `during` runs, in MiB: the kernel's high-water
 * mark, reset first (`clear_refs` 5), with 20 ms samples as the fallback
 * where the reset is not allowed.
 */
export async function peakRssMiB(pid: number, during: () => Promise<unknown>): Promise<number | null> {
  let reset = false;
  try {
    await Bun.write(`/proc/${pid}/clear_refs`, "5");
    reset = true;
  } catch {
    // Not our process or not Linux: sampling alone.
  }
  let sampled = 0;
  const timer = setInterval(async () => {
    sampled = Math.max(sampled, (await rssMiB(pid)) ?? 0);
  }, 20);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  const hwm = reset ? await statusField(pid, "VmHWM") : null;
  const peak = Math.max(hwm ?? 0, sampled);
  return peak > 0 ? Math.round(peak * 10) / 10 : null;
}

/**
 * CPU time (user + system) another process has used so far, in microseconds, from
 * `/proc/<pid>/stat` (clock ticks, usually 10 ms each); null where /proc is missing. Unlike
 * req/s, CPU per request barely moves when other work shares the machine.
 */
export async function cpuMicros(pid: number): Promise<number | null> {
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    // Fields after the command name (which may hold spaces), from its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * (1_000_000 / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}
/** USER_HZ: 100 on every Linux build Bun runs on. */
const CLOCK_TICKS = 100;
