import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createPosAdapter } from "../../src/pos/create-pos-adapter";
import { PosRejectedError } from "../../src/pos/errors";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { PosType } from "../../src/pos/types";
import { connectionFor, orderInput } from "./pos-fixtures";

let sim: PosSimulator;
beforeAll(async () => {
  sim = await startPosSimulator({ randomSeed: 11 });
});
afterAll(() => sim.stop());

const VENDORS: PosType[] = ["square", "toast", "local"];

describe("cancelling an order on each vendor's POS", () => {
  for (const vendor of VENDORS) {
    it(`${vendor}: cancels an open order, and a second cancel finds it cancelled`, async () => {
      const connection = connectionFor(vendor, sim.baseUrl(vendor));
      const adapter = createPosAdapter({ connection });
      const input = orderInput();
      const created = await adapter.createOrder(input);
      expect(sim.control.orderStatus(vendor, created.posOrderId)).not.toBe("cancelled");
      const cancelled = await adapter.cancelOrder({ orderId: input.orderId, posOrderId: created.posOrderId });
      expect(cancelled.status).toBe("cancelled");
      expect(sim.control.orderStatus(vendor, created.posOrderId)).toBe("cancelled");
      const again = await adapter.cancelOrder({ orderId: input.orderId, posOrderId: created.posOrderId });
      expect(again.status).toBe("cancelled");
      // The create replayed afterwards gets the same, cancelled, POS order: nothing new opens.
      const replay = await adapter.createOrder(input);
      expect(replay.posOrderId).toBe(created.posOrderId);
      expect(sim.control.orderStatus(vendor, created.posOrderId)).toBe("cancelled");
    });

    it(`${vendor}: ${vendor === "toast" ? "voids" : "refuses to cancel"} a completed order`, async () => {
      const adapter = createPosAdapter({ connection: connectionFor(vendor, sim.baseUrl(vendor)) });
      const input = orderInput();
      const created = await adapter.createOrder(input);
      expect(sim.control.setOrderStatus(vendor, created.posOrderId, "completed")).toBe(true);
      const error = await adapter
        .cancelOrder({ orderId: input.orderId, posOrderId: created.posOrderId })
        .catch((e) => e);
      if (vendor === "toast") {
        // Toast voids closed orders too (with their OTHER payments): nothing refuses it.
        expect(error.status).toBe("cancelled");
      } else {
        expect(error).toBeInstanceOf(PosRejectedError);
      }
    });
  }

  it("square: sends the update at the order's current version, after the kitchen moved it", async () => {
    const adapter = createPosAdapter({ connection: connectionFor("square", sim.baseUrl("square")) });
    const input = orderInput();
    const created = await adapter.createOrder(input);
    sim.control.setOrderStatus("square", created.posOrderId, "preparing");
    sim.control.setOrderStatus("square", created.posOrderId, "ready");
    const cancelled = await adapter.cancelOrder({ orderId: input.orderId, posOrderId: created.posOrderId });
    expect(cancelled.status).toBe("cancelled");
  });
});
