import type { PosType } from "./types";

/**
 * Webhook signatures of the three POS vendors, on WebCrypto so the same code
 * verifies on Bun and on the edge. Always verify the raw body bytes as they
 * arrived: re-serialised JSON does not match.
 *
 * - Square: base64 HMAC-SHA256, keyed by the subscription's signature key, over
 *   the notification URL (exactly as registered with Square) followed by the
 *   raw body; header `x-square-hmacsha256-signature`.
 * - Toast: base64 HMAC-SHA256, keyed by the subscription's secret, over the raw
 *   body followed by the message timestamp; header `Toast-Signature`. Toast's
 *   guide says "body and timestamp" without naming the timestamp's carrier; we
 *   take the envelope's `timestamp` field, and a caller may pass one explicitly.
 * - local: hex HMAC-SHA256 over the raw body; header `X-Local-Signature`.
 */
export const SQUARE_SIGNATURE_HEADER = "x-square-hmacsha256-signature";
export const TOAST_SIGNATURE_HEADER = "toast-signature";
export const LOCAL_SIGNATURE_HEADER = "x-local-signature";

const encoder = new TextEncoder();

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares without an early exit, so the time taken says nothing about how much of a forged signature was right. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ (right[i % Math.max(right.length, 1)] ?? 0);
  return difference === 0;
}

export async function signSquareWebhook(
  signatureKey: string,
  notificationUrl: string,
  rawBody: string,
): Promise<string> {
  return toBase64(await hmacSha256(signatureKey, notificationUrl + rawBody));
}

/** Toast signs "body + timestamp"; the timestamp is the envelope's unless given. */
export async function signToastWebhook(
  secret: string,
  rawBody: string,
  timestamp = toastTimestamp(rawBody),
): Promise<string> {
  return toBase64(await hmacSha256(secret, rawBody + timestamp));
}

export async function signLocalWebhook(secret: string, rawBody: string): Promise<string> {
  return toHex(await hmacSha256(secret, rawBody));
}

/** The `timestamp` of a Toast webhook envelope, or "" when the body has none. */
export function toastTimestamp(rawBody: string): string {
  try {
    const parsed: unknown = JSON.parse(rawBody);
    if (parsed && typeof parsed === "object" && "timestamp" in parsed) return String(parsed.timestamp);
  } catch {
    // Not JSON: it is signed (and will fail to verify) without a timestamp.
  }
  return "";
}

export type PosWebhookRequest = {
  /** The connection's `webhook_secret` (Square: the subscription's signature key). */
  secret: string;
  rawBody: string;
  headers: Headers;
  /** Square only: the notification URL exactly as registered in the Square subscription. */
  notificationUrl?: string;
};

/** The vendor's signature header for a webhook body, as the vendor would send it. */
export async function signPosWebhook(
  posType: PosType,
  request: Omit<PosWebhookRequest, "headers">,
): Promise<Record<string, string>> {
  switch (posType) {
    case "square":
      return {
        [SQUARE_SIGNATURE_HEADER]: await signSquareWebhook(
          request.secret,
          request.notificationUrl ?? "",
          request.rawBody,
        ),
      };
    case "toast":
      return { [TOAST_SIGNATURE_HEADER]: await signToastWebhook(request.secret, request.rawBody) };
    case "local":
      return { [LOCAL_SIGNATURE_HEADER]: await signLocalWebhook(request.secret, request.rawBody) };
  }
}

/** True when the request carries the vendor's valid signature for exactly this body. */
export async function verifyPosWebhook(posType: PosType, request: PosWebhookRequest): Promise<boolean> {
  if (request.secret === "") return false;
  const header = { square: SQUARE_SIGNATURE_HEADER, toast: TOAST_SIGNATURE_HEADER, local: LOCAL_SIGNATURE_HEADER }[
    posType
  ];
  const received = request.headers.get(header)?.trim();
  if (!received) return false;
  if (posType === "square" && !request.notificationUrl) return false;
  const expected = (await signPosWebhook(posType, request))[header] ?? "";
  // Hex is case-insensitive; base64 is not.
  return posType === "local"
    ? constantTimeEqual(expected, received.toLowerCase())
    : constantTimeEqual(expected, received);
}
