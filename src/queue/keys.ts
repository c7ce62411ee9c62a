/** Every Redis key of one shard. All of them share the shard's hash tag, so scripts stay in one slot. */
export type ShardKeys = {
  readonly shard: number;
  /** The hash tag `{prefix:shard}`; streams are `${tag}:stream:${queue}`. */
  readonly tag: string;
  stream(queue: string): string;
  /** ZSET jobId → due time (ms): backoff retries, releases and delayed dispatch. */
  readonly delayed: string;
  /** HASH jobId → envelope JSON of the jobs in `delayed`. */
  readonly delayedJobs: string;
  /** HASH jobId → where the job is: `s <queue> <entryId>` (in a stream) or `d <queue>` (delayed). */
  readonly index: string;
  /** ZSET uniqueKey → time (ms) the unique lock lapses. */
  readonly unique: string;
  /** HASH uniqueKey → id of the job holding the lock; only that job releases it. */
  readonly uniqueOwners: string;
  /** HASH `delayed:<queue>` → number of delayed jobs of that queue. */
  readonly counts: string;
  /** SET of paused queue names (written to every shard, read by that shard's readers). */
  readonly paused: string;
  /** STRING: how often a suspect entry's handler was started (poison rule); expires after a week. */
  starts(entryId: string): string;
  /** Prefix of a batch's keys on this shard (`${batchPrefix}${id}` …); scripts build them from it. */
  readonly batchPrefix: string;
  /** HASH: a batch's record (on its home shard): name, total, options, callbacks, per-shard counts. */
  batch(id: string): string;
  /** HASH: the counts of a batch's jobs on this shard (total, processed, failed, skipped). */
  batchPart(id: string): string;
  /** HASH jobId → outcome (p, f, s) of a batch's settled jobs on this shard: a job counts once. */
  batchJobs(id: string): string;
  /** SET of batch ids whose part on this shard has news (completed, first failure) for the home shard. */
  readonly batchOutbox: string;
};

/** Keys that are not tied to a shard: metrics, worker registry, the Redis failed-job store. */
export type GlobalKeys = {
  readonly tag: string;
  metrics(queue: string, minute: number): string;
  readonly workers: string;
  readonly workerInfo: string;
  readonly failed: string;
  readonly failedJobs: string;
  /** ZSET batch id → created at (ms): every batch, for listing and pruning. */
  readonly batches: string;
};

/** The one place queue keys are built. The consumer group name is fixed per prefix. */
export type QueueKeys = {
  readonly prefix: string;
  readonly group: string;
  readonly shards: number;
  shard(index: number): ShardKeys;
  readonly global: GlobalKeys;
  /** The shard a partition key maps to (FNV-1a, stable across processes and runtimes). */
  shardFor(partitionKey: string | undefined): number;
  /** A batch's home shard (its record and callbacks), from its id alone. */
  batchHome(batchId: string): number;
};

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Builds the key map for a prefix and a shard count. Shard key objects are built once and reused. */
export function queueKeys(prefix: string, shards = 1): QueueKeys {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`shards must be a positive integer, got ${shards}`);
  const built: ShardKeys[] = [];
  for (let index = 0; index < shards; index++) {
    const tag = `{${prefix}:${index}}`;
    built.push({
      shard: index,
      tag,
      stream: (queue) => `${tag}:stream:${queue}`,
      delayed: `${tag}:delayed`,
      delayedJobs: `${tag}:delayed:jobs`,
      index: `${tag}:index`,
      unique: `${tag}:unique`,
      uniqueOwners: `${tag}:unique:owners`,
      counts: `${tag}:counts`,
      paused: `${tag}:paused`,
      starts: (entryId) => `${tag}:starts:${entryId}`,
      batchPrefix: `${tag}:batch:`,
      batch: (id) => `${tag}:batch:${id}`,
      batchPart: (id) => `${tag}:batch:${id}:part`,
      batchJobs: (id) => `${tag}:batch:${id}:jobs`,
      batchOutbox: `${tag}:batches:outbox`,
    });
  }
  const globalTag = `{${prefix}:meta}`;
  // Without a partition key, spread jobs round-robin so one shard does not take them all.
  let roundRobin = 0;
  return {
    prefix,
    group: "workers",
    shards,
    shard(index) {
      const keys = built[index];
      if (!keys) throw new Error(`shard ${index} is out of range 0..${shards - 1}`);
      return keys;
    },
    global: {
      tag: globalTag,
      metrics: (queue, minute) => `${globalTag}:metrics:${queue}:${minute}`,
      workers: `${globalTag}:workers`,
      workerInfo: `${globalTag}:workers:info`,
      failed: `${globalTag}:failed`,
      failedJobs: `${globalTag}:failed:jobs`,
      batches: `${globalTag}:batches`,
    },
    shardFor(partitionKey) {
      if (shards === 1) return 0;
      if (partitionKey === undefined) {
        roundRobin = (roundRobin + 1) % shards;
        return roundRobin;
      }
      return fnv1a(partitionKey) % shards;
    },
    batchHome(batchId) {
      return fnv1a(batchId) % shards;
    },
  };
}
