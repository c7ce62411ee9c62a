import { chargeIdempotencyKey } from "../../src/payments/payment-provider";
import { type PosSimulator, startPosSimulator } from "../../src/pos/simulator/pos-simulator";
import type { RecordedWrite } from "../../src/pos/simulator/state";

/** The merchant (bearer token) and location the tests' payment provider charges as. */
export const TEST_PAYMENTS_MERCHANT = "test-payments-merchant";
export const TEST_PAYMENTS_LOCATION = "TESTPAYMENTSLOCATION";

/** Configuration pointing the payment provider at a simulator's Square Payments. */
export function paymentSettings(sim: Pick<PosSimulator, "baseUrl">, timeoutMs = 10_000): Record<string, string> {
  return {
    SQUARE_PAYMENTS_BASE_URL: sim.baseUrl("square"),
    SQUARE_PAYMENTS_ACCESS_TOKEN: TEST_PAYMENTS_MERCHANT,
    SQUARE_PAYMENTS_LOCATION_ID: TEST_PAYMENTS_LOCATION,
    PAYMENT_PROVIDER_TIMEOUT_MS: String(timeoutMs),
  };
}

/** A simulator standing in for Square Payments, and what it charged. */
export async function startPaymentProvider() {
  const sim = await startPosSimulator({ randomSeed: 7 });
  return {
    sim,
    settings: (timeoutMs?: number) => paymentSettings(sim, timeoutMs),
    /** Charges the provider made (money moved) for our payment row `paymentId`. */
    chargesFor: (paymentId: number): RecordedWrite[] => charges(sim, paymentId),
    stop: () => sim.stop(),
  };
}

/** Completed or approved charges at the simulator for our payment row, found by its idempotency key. */
export function charges(sim: Pick<PosSimulator, "control">, paymentId: number): RecordedWrite[] {
  return sim.control
    .payments("square")
    .filter((p) => p.tenant === TEST_PAYMENTS_MERCHANT && p.idempotencyKey === chargeIdempotencyKey(paymentId));
}
