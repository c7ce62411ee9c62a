/**
 * What travels with a job through streams, the delayed set and the failed store. It is stored
 * as one JSON field so a read costs one parse, and a retry from failed re-dispatches it as is.
 */
export type JobEnvelope = {
  id: string;
  name: string;
  queue: string;
  payload: unknown;
  /** Failed attempts so far (a release or a crash redelivery does not count). */
  attempts: number;
  /** The job's partition key (the app's restaurant id), when it has one. */
  partition?: string;
  uniqueKey?: string;
  /** Milliseconds the unique lock is held for, renewed on each retry. */
  uniqueFor?: number;
  /** When it was first dispatched (ms). */
  createdAt: number;
  /** When it last became available to workers (ms); wait time is measured from here. */
  availableAt: number;
  /** The error of the last failed attempt. */
  lastError?: string;
  /** The job batch it belongs to: its outcome is counted there, and it is skipped once the batch is cancelled. */
  batch?: string;
  /** The batch whose callback (then, catch, finally) this job is; it is not counted in it. */
  callbackOf?: string;
};

/**
 * A new job id: 128 random bits in base64url, 22 characters (a UUID's text is 36). It is stored
 * twice per waiting job (the envelope and the job index), so its length is paid twice.
 */
export function newJobId(): string {
  // btoa rather than Buffer: the edge (workerd) dispatches jobs too.
  const base64 = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The envelope as stored: JSON without the fields that hold their defaults (`attempts` 0,
 * `availableAt` equal to `createdAt`), which a fresh job's envelope always has. Every waiting
 * job carries these bytes in Redis; `decodeEnvelope` restores the defaults.
 */
export function encodeEnvelope(envelope: JobEnvelope): string {
  const { attempts, availableAt, ...rest } = envelope;
  const stored: Partial<JobEnvelope> = rest;
  if (attempts !== 0) stored.attempts = attempts;
  if (availableAt !== envelope.createdAt) stored.availableAt = availableAt;
  return JSON.stringify(stored);
}

/** Parses an envelope; returns null for anything that is not one (foreign or corrupt entries). */
export function decodeEnvelope(text: string | undefined): JobEnvelope | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<JobEnvelope>;
    if (typeof value.id !== "string" || typeof value.name !== "string" || typeof value.queue !== "string") return null;
    // The parsed object is this call's own: the defaults are filled in place, not in a copy.
    const createdAt = Number(value.createdAt ?? 0);
    value.attempts = Number(value.attempts ?? 0);
    value.createdAt = createdAt;
    value.availableAt = Number(value.availableAt ?? createdAt);
    return value as JobEnvelope;
  } catch {
    return null;
  }
}

/** The stream entry field that holds the envelope. */
export const ENVELOPE_FIELD = "job";
