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
};

export function encodeEnvelope(envelope: JobEnvelope): string {
  return JSON.stringify(envelope);
}

/** Parses an envelope; returns null for anything that is not one (foreign or corrupt entries). */
export function decodeEnvelope(text: string | undefined): JobEnvelope | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<JobEnvelope>;
    if (typeof value.id !== "string" || typeof value.name !== "string" || typeof value.queue !== "string") return null;
    return {
      ...value,
      attempts: Number(value.attempts ?? 0),
      createdAt: Number(value.createdAt ?? 0),
      availableAt: Number(value.availableAt ?? 0),
    } as JobEnvelope;
  } catch {
    return null;
  }
}

/** The stream entry field that holds the envelope. */
export const ENVELOPE_FIELD = "job";
