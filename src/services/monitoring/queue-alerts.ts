import type { Logger } from "../../logger";
import type { QueueMonitor, QueueOverview } from "../../queue/monitor";
import type { RedisConnection } from "../../redis/types";

/** Failure spikes are judged over this many recent minutes. */
export const FAILURE_WINDOW_MINUTES = 5;

export type QueueAlertSettings = {
  /** Slack-compatible incoming webhook: POST `{ text, attachments }`. */
  webhookUrl: string;
  /** At most one alert of a kind per queue in this long (ms), across every process. */
  windowMs: number;
  /** A failure spike: at least this share of finished attempts failed (0..1) … */
  failureRate: number;
  /** … and at least this many failed, over the last FAILURE_WINDOW_MINUTES. */
  failureMinCount: number;
};

export type QueueAlert =
  | { kind: "long_wait"; queue: string; oldestWaitingMs: number; thresholdMs: number; waiting: number }
  | { kind: "failure_spike"; queue: string; failed: number; processed: number; failureRate: number };

/** Redis keys of the notifier, one key per command (Redis Cluster safe). */
export function queueAlertKeys(prefix: string) {
  return {
    /** Present while an alert of this kind for this queue was sent in the current window. */
    sent: (kind: QueueAlert["kind"], queue: string) => `${prefix}:alerts:sent:${kind}:${queue}`,
  };
}

function describe(alert: QueueAlert): { text: string; fields: Array<{ title: string; value: string }> } {
  if (alert.kind === "long_wait") {
    return {
      text: `FoodHub Sync: long wait on queue "${alert.queue}": the oldest job has waited ${Math.round(alert.oldestWaitingMs / 1000)} s (threshold ${Math.round(alert.thresholdMs / 1000)} s), ${alert.waiting} waiting.`,
      fields: [
        { title: "queue", value: alert.queue },
        { title: "oldest wait (s)", value: String(Math.round(alert.oldestWaitingMs / 1000)) },
        { title: "waiting", value: String(alert.waiting) },
      ],
    };
  }
  const percent = Math.round(alert.failureRate * 100);
  return {
    text: `FoodHub Sync: failure spike on queue "${alert.queue}": ${alert.failed} of ${alert.failed + alert.processed} attempts failed (${percent}%) in the last ${FAILURE_WINDOW_MINUTES} minutes.`,
    fields: [
      { title: "queue", value: alert.queue },
      { title: "failed", value: String(alert.failed) },
      { title: "failure rate", value: `${percent}%` },
    ],
  };
}

/**
 * Horizon-style notifications: long waits and failure spikes per queue, posted to a webhook at
 * most once per window per queue and kind. The window is a Redis key taken with `SET NX PX`, so
 * any number of workers may check at once and one of them sends; a failed send gives the key
 * back so the next check tries again.
 *
 * @example
 * const notifier = new QueueAlertNotifier({ monitor, redis, prefix, logger, settings });
 * setInterval(() => void notifier.check(), 30_000);
 */
export class QueueAlertNotifier {
  readonly #monitor: QueueMonitor;
  readonly #redis: RedisConnection;
  readonly #keys: ReturnType<typeof queueAlertKeys>;
  readonly #settings: QueueAlertSettings;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;

  constructor(options: {
    monitor: QueueMonitor;
    redis: RedisConnection;
    prefix: string;
    logger: Logger;
    settings: QueueAlertSettings;
    fetch?: typeof fetch;
  }) {
    this.#monitor = options.monitor;
    this.#redis = options.redis;
    this.#keys = queueAlertKeys(options.prefix);
    this.#settings = options.settings;
    this.#logger = options.logger;
    // Bound: Workers refuse a fetch called as another object's method ("Illegal invocation").
    this.#fetch = options.fetch ?? fetch.bind(globalThis);
  }

  /** What is alarming now, whether or not it was already sent. */
  async detect(): Promise<QueueAlert[]> {
    const now = Date.now();
    const [overview, series] = await Promise.all([
      this.#monitor.overview(),
      Promise.all(
        this.#monitor.queues.map((queue) =>
          this.#monitor.metrics(queue, { from: now - (FAILURE_WINDOW_MINUTES - 1) * 60_000, to: now }),
        ),
      ),
    ]);
    const alerts: QueueAlert[] = overview.filter((o) => o.longWait).map(longWaitAlert);
    for (const { queue, summary } of series) {
      const finished = summary.processed + summary.failed;
      const rate = finished === 0 ? 0 : summary.failed / finished;
      if (summary.failed >= this.#settings.failureMinCount && rate >= this.#settings.failureRate) {
        alerts.push({
          kind: "failure_spike",
          queue,
          failed: summary.failed,
          processed: summary.processed,
          failureRate: rate,
        });
      }
    }
    return alerts;
  }

  /** Detects and sends what this window has not seen yet; returns the alerts this call sent. */
  async check(): Promise<QueueAlert[]> {
    const sent: QueueAlert[] = [];
    for (const alert of await this.detect()) {
      const key = this.#keys.sent(alert.kind, alert.queue);
      const claimed = await this.#redis.send("SET", [key, String(Date.now()), "NX", "PX", this.#settings.windowMs]);
      // Another process (or an earlier check) already sent this one in the current window.
      if (claimed === null) continue;
      try {
        await this.#post(alert);
        sent.push(alert);
      } catch (error) {
        await this.#redis.send("DEL", [key]).catch(() => {});
        this.#logger.warn("queue alert not delivered; the next check tries again", {
          kind: alert.kind,
          queue: alert.queue,
          error: (error as Error).message,
        });
      }
    }
    return sent;
  }

  async #post(alert: QueueAlert): Promise<void> {
    const { text, fields } = describe(alert);
    const response = await this.#fetch(this.#settings.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        text,
        attachments: [
          {
            color: "danger",
            fallback: text,
            fields: fields.map((f) => ({ ...f, short: true })),
            footer: `foodhub ${alert.kind}`,
          },
        ],
      }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}

function longWaitAlert(o: QueueOverview): QueueAlert {
  return {
    kind: "long_wait",
    queue: o.queue,
    oldestWaitingMs: o.oldestWaitingMs ?? 0,
    thresholdMs: o.longWaitThresholdMs,
    waiting: o.waiting,
  };
}
