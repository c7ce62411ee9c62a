import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import {
  chargeIdempotencyKey,
  PaymentDeclinedError,
  PaymentProviderRejectedError,
  PaymentProviderUnavailableError,
} from "../../src/payments/payment-provider";
import { SquarePaymentsProvider } from "../../src/payments/square-payments-provider";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import { nextId } from "./pos-fixtures";

/** How the Square Payments provider reads each kind of answer, against the simulator. */
let sim: PosSimulator;
beforeAll(async () => {
  sim = await startPosSimulator({ randomSeed: 3 });
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim.stop());

const provider = (overrides: { accessToken?: string; timeoutMs?: number } = {}) =>
  new SquarePaymentsProvider({
    baseUrl: sim.baseUrl("square"),
    accessToken: overrides.accessToken ?? "provider-test-merchant",
    locationId: "PROVIDERTESTLOCATION",
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });

const input = (sourceId = "cnon:card-nonce-ok") => ({
  paymentId: nextId(),
  orderId: 1,
  sourceId,
  amountCents: 2_500,
  currency: "USD",
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

describe("the Square Payments provider", () => {
  it("charges once per payment row: a repeat with the same row returns the same charge", async () => {
    const charge = input();
    const first = await provider().charge(charge);
    const again = await provider().charge(charge);
    expect(first).toMatchObject({ status: "completed", providerStatus: "COMPLETED", amountCents: 2_500 });
    expect(again.providerPaymentId).toBe(first.providerPaymentId);
    const made = sim.control
      .payments("square")
      .filter((p) => p.idempotencyKey === chargeIdempotencyKey(charge.paymentId));
    expect(made).toHaveLength(1);
    expect(made[0]!.replays).toBe(1);
    expect((await provider().getPayment(first.providerPaymentId)).status).toBe("completed");
  });

  it("reads a declined source as a decline with Square's code and the failed payment's id", async () => {
    const error = await errorOf(provider().charge(input("cnon:card-nonce-rejected-postalcode")));
    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect((error as PaymentDeclinedError).code).toBe("ADDRESS_VERIFICATION_FAILURE");
    const failed = await provider().getPayment((error as PaymentDeclinedError).providerPaymentId!);
    expect(failed).toMatchObject({ status: "failed", providerStatus: "FAILED" });
  });

  it("reads a timeout, an outage and a 500 as 'no answer', and a refused token as a rejection", async () => {
    sim.control.setFaults("square", { hangRate: 1 });
    const started = performance.now();
    expect(await errorOf(provider({ timeoutMs: 300 }).charge(input()))).toBeInstanceOf(PaymentProviderUnavailableError);
    expect(performance.now() - started).toBeLessThan(5_000);
    sim.control.clearFaults();
    sim.control.setFaults("square", { errorRate: 1 });
    expect(await errorOf(provider().charge(input()))).toBeInstanceOf(PaymentProviderUnavailableError);
    sim.control.clearFaults();
    sim.control.outage("square", 10_000);
    expect(await errorOf(provider().charge(input()))).toBeInstanceOf(PaymentProviderUnavailableError);
    sim.control.clearFaults();
    const unknown = await errorOf(provider().getPayment("NO-SUCH-PAYMENT"));
    expect(unknown).toBeInstanceOf(PaymentProviderRejectedError);
    expect((unknown as PaymentProviderRejectedError).code).toBe("NOT_FOUND");
  });
});
