/**
 * Busy-polls the event loop while a Redis reply is due: one `setImmediate` per turn, so every
 * turn still polls I/O (with a zero timeout) and runs timers and other callbacks, until `reply`
 * settles or `maxUs` microseconds have passed. A process that sleeps in the poll instead pays the
 * kernel's wake-up latency on every reply, which on a virtual machine is as long as Redis's own
 * work (a loopback `PING` took 117 µs sleeping, 63 µs polling). It costs CPU for as long as it
 * spins, so the worker spins only for short waits with nothing else to do (ADR 0035).
 * It also stops as soon as `keepGoing` says false (the process found other work). `onEnd` hears
 * how many turns it spun.
 */
export function spinUntilSettled(
  reply: Promise<unknown>,
  maxUs: number,
  options: { keepGoing?: () => boolean; onEnd?: (turns: number) => void } = {},
): void {
  const { keepGoing, onEnd } = options;
  if (maxUs <= 0) {
    onEnd?.(0);
    return;
  }
  let settled = false;
  const done = () => {
    settled = true;
  };
  reply.then(done, done);
  const until = performance.now() + maxUs / 1000;
  let turns = 0;
  const turn = () => {
    turns += 1;
    if (!settled && performance.now() < until && (!keepGoing || keepGoing())) setImmediate(turn);
    else onEnd?.(turns);
  };
  setImmediate(turn);
}
