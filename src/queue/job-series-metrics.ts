/*
 * The series a job's attempts are counted in beside its queue's (MetricsRecorder splits each
 * attempt's counts into them when it flushes): its job name's, its partition's and the lifetime
 * totals.
 */

// Queue names cannot contain ':', so none of these series names can clash with a queue's.

/** Per-minute series of one job name, across partitions. */
export const jobSeries = (name: string) => `job:${name}`;

/** Per-minute series of one partition's (restaurant's) jobs of one name: what a tenant-scoped view sums. */
export const partitionJobSeries = (partition: string, name: string) => `p:${partition}:job:${name}`;

/**
 * Lifetime totals of a queue. Counted under minute 0, whose TTL every flush renews, so they only
 * grow (Prometheus counters and histograms) until a whole retention window passes without a job.
 */
export const lifetimeSeries = (queue: string) => `total:${queue}`;
/** Lifetime totals of one job name (its per-job-name Prometheus series); same renewal as a queue's. */
export const lifetimeJobSeries = (name: string) => `total:job:${name}`;
export const LIFETIME_MINUTE = 0;
