import type { Config } from "../config";
import type { PaymentProvider } from "./payment-provider";
import { SquarePaymentsProvider } from "./square-payments-provider";

/**
 * The configured payment provider, or null when none is configured (card payments are then
 * refused). Every restaurant pays through it, whatever its POS.
 */
export function createPaymentProvider(
  config: Pick<
    Config,
    | "SQUARE_PAYMENTS_BASE_URL"
    | "SQUARE_PAYMENTS_ACCESS_TOKEN"
    | "SQUARE_PAYMENTS_LOCATION_ID"
    | "PAYMENT_PROVIDER_TIMEOUT_MS"
  >,
  options: { fetch?: typeof fetch } = {},
): PaymentProvider | null {
  const { SQUARE_PAYMENTS_BASE_URL: baseUrl, SQUARE_PAYMENTS_ACCESS_TOKEN: accessToken } = config;
  const locationId = config.SQUARE_PAYMENTS_LOCATION_ID;
  if (!baseUrl || !accessToken || !locationId) return null;
  return new SquarePaymentsProvider({
    baseUrl,
    accessToken,
    locationId,
    timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
    fetch: options.fetch,
  });
}
