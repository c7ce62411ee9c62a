import { describe, expect, it } from "bun:test";
import { AttemptDeadlines } from "../../src/queue/attempt-deadlines";

describe("attempt deadlines on one timer", () => {
  it("fires each deadline once it is due, in order, across timeouts", async () => {
    const deadlines = new AttemptDeadlines();
    const fired: Array<{ label: string; lateBy: number }> = [];
    const start = performance.now();
    const add = (label: string, ms: number) =>
      deadlines.add(ms, () => fired.push({ label, lateBy: performance.now() - start - ms }));
    add("a-60", 60);
    add("b-20", 20);
    add("c-60", 60);
    add("d-40", 40);
    await Bun.sleep(150);
    expect(fired.map((f) => f.label)).toEqual(["b-20", "d-40", "a-60", "c-60"]);
    // Never early.
    for (const f of fired) expect(f.lateBy).toBeGreaterThanOrEqual(-1);
  });

  it("fires deadlines of different timeouts in the order they fell due when the timer comes late", () => {
    const deadlines = new AttemptDeadlines();
    const fired: string[] = [];
    deadlines.add(6, () => fired.push("a-6"));
    deadlines.add(2, () => fired.push("b-2"));
    deadlines.add(6, () => fired.push("c-6"));
    deadlines.add(4, () => fired.push("d-4"));
    // Hold the event loop past every deadline, as a stalled process would: the timer comes late.
    const until = performance.now() + 20;
    while (performance.now() < until) {}
    return Bun.sleep(5).then(() => expect(fired).toEqual(["b-2", "d-4", "a-6", "c-6"]));
  });

  it("never fires a cancelled deadline, and still fires the ones behind it", async () => {
    const deadlines = new AttemptDeadlines();
    const fired: string[] = [];
    const first = deadlines.add(20, () => fired.push("first"));
    const middle = deadlines.add(30, () => fired.push("middle"));
    deadlines.add(30, () => fired.push("last"));
    first.cancel();
    middle.cancel();
    // Cancelling twice is harmless.
    middle.cancel();
    await Bun.sleep(80);
    expect(fired).toEqual(["last"]);
  });

  it("fires a deadline added after an earlier one was cancelled", async () => {
    const deadlines = new AttemptDeadlines();
    const fired: string[] = [];
    deadlines.add(10, () => fired.push("gone")).cancel();
    await Bun.sleep(20);
    deadlines.add(10, () => fired.push("kept"));
    await Bun.sleep(40);
    expect(fired).toEqual(["kept"]);
  });
});
