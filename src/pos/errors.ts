import type { PosType } from "./types";

/** Why a POS call failed; decides whether a job retries and whether the circuit breaker counts it. */
export type PosErrorReason =
  | "server" // 5xx
  | "rate_limited" // 429
  | "network" // connection refused / reset
  | "timeout" // our own deadline passed
  | "validation" // 4xx the POS will refuse again
  | "auth" // 401 / 403
  | "not_found"; // 404

type PosErrorInit = {
  posType: PosType;
  reason: PosErrorReason;
  message: string;
  status?: number;
  code?: string;
  cause?: unknown;
};

/** Every failure an adapter throws is one of these subclasses. */
export abstract class PosError extends Error {
  abstract readonly retryable: boolean;
  readonly posType: PosType;
  readonly reason: PosErrorReason;
  /** HTTP status when the POS answered. */
  readonly status: number | undefined;
  /** The vendor's machine-readable error code, when it sent one. */
  readonly code: string | undefined;

  constructor(init: PosErrorInit) {
    super(init.message, { cause: init.cause });
    this.posType = init.posType;
    this.reason = init.reason;
    this.status = init.status;
    this.code = init.code;
  }
}

/** Worth trying again later: 5xx, 429, network failures and timeouts. */
export class PosRetryableError extends PosError {
  override name = "PosRetryableError";
  readonly retryable = true;
  /** The wait the POS asked for (`Retry-After`), in ms; a job should not retry sooner. */
  readonly retryAfterMs: number | undefined;

  constructor(init: PosErrorInit & { retryAfterMs?: number }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The POS will refuse this request again as it stands (validation, auth): fail the job, don't retry. */
export class PosRejectedError extends PosError {
  override name = "PosRejectedError";
  readonly retryable = false;
}

/** The POS does not know the object (an order id we hold, a location). */
export class PosNotFoundError extends PosError {
  override name = "PosNotFoundError";
  readonly retryable = false;
}

/** True for failures that say the POS itself is unwell, the only ones the circuit breaker counts. */
export function isPosOutage(error: unknown): boolean {
  return error instanceof PosRetryableError;
}
