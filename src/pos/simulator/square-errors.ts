import type { z } from "zod";
import type { SquareErrorBody } from "../square/square-schemas";
import { readJson, type SimErrorKind } from "./context";

/** Square's `errors[]` entry: https://developer.squareup.com/reference/square/objects/Error */
export type SquareError = SquareErrorBody["errors"][number];

const SQUARE_ERRORS: Record<SimErrorKind, { category: string; code: string }> = {
  internal: { category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" },
  unavailable: { category: "API_ERROR", code: "SERVICE_UNAVAILABLE" },
  rate_limited: { category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" },
  unauthorized: { category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" },
  not_found: { category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" },
  bad_request: { category: "INVALID_REQUEST_ERROR", code: "INVALID_VALUE" },
  conflict: { category: "INVALID_REQUEST_ERROR", code: "IDEMPOTENCY_KEY_REUSED" },
};

export function squareErrorBody(kind: SimErrorKind, detail: string, field?: string): SquareErrorBody {
  return { errors: [{ ...SQUARE_ERRORS[kind], detail, ...(field ? { field } : {}) }] };
}

/** A Square error answer with any status (Square sends 400 for most request and payment errors). */
export function squareErrors(status: number, errors: SquareError[], extra: Record<string, unknown> = {}): Response {
  return Response.json({ errors, ...extra }, { status });
}

/** A request field as Square names it: `order.line_items[0].quantity`. */
function squareField(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

const EXPECTED: Record<string, string> = {
  string: "EXPECTED_STRING",
  number: "EXPECTED_INTEGER",
  int: "EXPECTED_INTEGER",
  boolean: "EXPECTED_BOOLEAN",
  object: "EXPECTED_OBJECT",
  array: "EXPECTED_ARRAY",
};

/** A zod failure as Square reports a bad request: one error per problem, each naming its field. */
export function squareValidationErrors(error: z.ZodError): SquareError[] {
  return error.issues.map((issue) => {
    const field = squareField(issue.path);
    let code = "INVALID_VALUE";
    if (issue.code === "invalid_type") {
      code = issue.input === undefined ? "MISSING_REQUIRED_PARAMETER" : (EXPECTED[issue.expected] ?? "INVALID_VALUE");
    } else if (issue.code === "too_big") {
      code =
        issue.origin === "string"
          ? "VALUE_TOO_LONG"
          : issue.origin === "array"
            ? "ARRAY_LENGTH_TOO_LONG"
            : "VALUE_TOO_HIGH";
    } else if (issue.code === "too_small") {
      code =
        issue.origin === "string"
          ? "VALUE_TOO_SHORT"
          : issue.origin === "array"
            ? "ARRAY_LENGTH_TOO_SHORT"
            : "VALUE_TOO_LOW";
    }
    return { category: "INVALID_REQUEST_ERROR", code, detail: issue.message, ...(field ? { field } : {}) };
  });
}

/** The 400 Square answers for a body that is not JSON. */
export function expectedJsonBody(): Response {
  return squareErrors(400, [
    {
      category: "INVALID_REQUEST_ERROR",
      code: "EXPECTED_JSON_BODY",
      detail: "The request body must be a JSON object.",
    },
  ]);
}

/**
 * A Square request body parsed by `schema`, or the 400 Square answers: EXPECTED_JSON_BODY when the
 * body is not a JSON object, its validation errors when the object does not fit. `raw` is the body
 * as sent (what an idempotency key is compared by).
 */
export async function readSquareBody<T>(
  request: Request,
  schema: z.ZodType<T>,
): Promise<{ data: T; raw: object } | { refused: Response }> {
  const raw = await readJson(request);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { refused: expectedJsonBody() };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { refused: squareErrors(400, squareValidationErrors(parsed.error)) };
  return { data: parsed.data, raw };
}

/** JSON with sorted keys: two requests are the same when their contents are, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * What Square compares when a key comes back: the whole request except the key itself, so any
 * changed field (a `pickup_at`, a note) with the same key is IDEMPOTENCY_KEY_REUSED.
 */
export function squareRequestFingerprint(body: Record<string, unknown>): string {
  const { idempotency_key: _key, ...rest } = body;
  return canonicalJson(rest);
}
