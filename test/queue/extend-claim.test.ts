import { expect, it } from "bun:test";
import { z } from "zod";
import { defineJob } from "../../src/queue/job";
import { queueWorld, waitFor } from "./support";

const payload = z.object({ extend: z.boolean() });

it("keeps long work from being reclaimed while the handler extends its claim", async () => {
  const world = await queueWorld();
  const ranBy: Array<{ worker: string; extend: boolean }> = [];
  const claims: boolean[] = [];
  const long = defineJob({
    name: "LongWork",
    queue: "default",
    tries: 1,
    backoff: [],
    timeout: 5,
    payload,
    async handle(p, ctx) {
      ranBy.push({ worker: "owner", extend: p.extend });
      for (let step = 0; step < 6; step++) {
        await Bun.sleep(100);
        if (p.extend) claims.push(await ctx.extendClaim());
      }
    },
  });
  // The other worker believes these jobs take 0.15 s at most, so it reclaims anything idle longer.
  const impatient = defineJob({
    ...long,
    timeout: 0.15,
    handle: (p) => void ranBy.push({ worker: "impatient", extend: p.extend }),
  });
  const owner = world.worker({ jobs: [long], concurrency: 2 });
  await owner.start();
  await world.queue.dispatchMany(long, [{ extend: true }, { extend: false }]);
  await waitFor(() => ranBy.length === 2);
  const other = world.worker({ jobs: [impatient], stallGraceMs: 0, stallCheckIntervalMs: 50 });
  await other.start();
  await waitFor(() => ranBy.some((r) => r.worker === "impatient"), 3000);
  await waitFor(() => claims.length === 6, 3000);
  expect(claims).toEqual([true, true, true, true, true, true]);
  // Only the job that did not extend its claim was taken over.
  expect(ranBy.filter((r) => r.worker === "impatient")).toEqual([{ worker: "impatient", extend: false }]);
});
