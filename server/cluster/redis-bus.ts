/**
 * The processes' bus: Redis pub/sub for what one process tells the others (docs/decisions/015).
 * It carries only fan-out, never the record: PostgreSQL is the one durable copy, so a message
 * lost here (Redis restarted with nothing kept, a network gap, a subscriber too slow) costs a
 * catch-up from the database, never an edit. Publishing never waits and never throws: a message
 * that cannot be sent is counted and dropped. After the subscriber connection comes back, the
 * `onResubscribed` listeners run, so each part can catch up on what it may have missed.
 *
 * Two connections, as Redis wants: one that publishes and one that only subscribes.
 */
import { type RedisClientType, createClient } from "redis";
import type { Logger } from "../logger.js";

export interface BusStats {
  published: number;
  publishedBytes: number;
  received: number;
  receivedBytes: number;
  dropped: number;
}

export class RedisBus {
  readonly stats: BusStats = { published: 0, publishedBytes: 0, received: 0, receivedBytes: 0, dropped: 0 };
  private readonly publisher: RedisClientType;
  private readonly subscriber: RedisClientType;
  private readonly listeners = new Map<string, (message: Buffer) => void>();
  private readonly resubscribed = new Set<() => void>();
  private subscriberReadyOnce = false;
  private readonly extra: RedisClientType[] = [];
  private closed = false;

  private constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const options = {
      url,
      // Publishing while Redis is away fails at once instead of queueing without bound.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        // 50 ms, 100 ms … at most 2 s between attempts, for as long as it takes.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
      },
    };
    this.publisher = createClient(options) as RedisClientType;
    // The subscriber keeps its subscriptions while Redis is away and renews them on reconnecting.
    this.subscriber = createClient({ ...options, disableOfflineQueue: false }) as RedisClientType;
    for (const [name, client] of [
      ["publisher", this.publisher],
      ["subscriber", this.subscriber],
    ] as const) {
      // node-redis emits 'error' for every failed connection attempt: without a listener it would throw.
      client.on("error", (error: Error) => this.logger.debug({ category: "redis", connection: name, err: error.message }, "redis connection error"));
      client.on("reconnecting", () => this.logger.debug({ category: "redis", connection: name }, "reconnecting to redis"));
    }
    this.subscriber.on("ready", () => {
      if (!this.subscriberReadyOnce) {
        this.subscriberReadyOnce = true;
        return;
      }
      this.logger.warn({ category: "redis" }, "reconnected to redis; catching up on what may have been missed");
      for (const listener of this.resubscribed) {
        try {
          listener();
        } catch (error) {
          this.logger.error({ category: "redis", err: error }, "catching up after a reconnection failed");
        }
      }
    });
  }

  /** Connects both connections; rejects when Redis cannot be reached at start. */
  static async connect(url: string, logger: Logger): Promise<RedisBus> {
    const bus = new RedisBus(url, logger);
    try {
      await Promise.all([bus.publisher.connect(), bus.subscriber.connect()]);
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  /** Sends `message` to every process subscribed to `channel`; never waits, never throws. */
  publish(channel: string, message: Buffer): void {
    if (this.closed || !this.publisher.isReady) {
      this.stats.dropped++;
      return;
    }
    this.stats.published++;
    this.stats.publishedBytes += message.byteLength;
    this.publisher.publish(channel, message).catch(() => {
      this.stats.dropped++;
    });
  }

  /** Delivers every message on `channel` to `onMessage` (one listener per channel). */
  async subscribe(channel: string, onMessage: (message: Buffer) => void): Promise<void> {
    this.listeners.set(channel, onMessage);
    await this.subscriber.subscribe(
      channel,
      (message: Buffer) => {
        this.stats.received++;
        this.stats.receivedBytes += message.byteLength;
        // A listener's failure is one message's: it never reaches the connection or the process.
        try {
          this.listeners.get(channel)?.(message);
        } catch (error) {
          this.logger.error({ category: "redis", channel: channel.split(":")[0], err: error }, "handling a bus message failed");
        }
      },
      true,
    );
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.listeners.delete(channel)) return;
    if (this.closed) return;
    await this.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  /** Runs `listener` each time the subscriptions come back after a lost connection. */
  onResubscribed(listener: () => void): () => void {
    this.resubscribed.add(listener);
    return () => this.resubscribed.delete(listener);
  }

  /** Throws when Redis does not answer (for /healthz). */
  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  get isReady(): boolean {
    return this.publisher.isReady && this.subscriber.isReady;
  }

  /**
   * A connection of its own for the Socket.io adapter: it reads its stream with blocking reads,
   * which on a shared connection would hold up every publish behind them. Closed with the bus.
   */
  async adapterClient(): Promise<RedisClientType> {
    const client = this.subscriber.duplicate() as RedisClientType;
    client.on("error", (error: Error) => this.logger.debug({ category: "redis", connection: "socket.io", err: error.message }, "redis connection error"));
    await client.connect();
    this.extra.push(client);
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.publisher, this.subscriber, ...this.extra].map(async (client) => client.destroy()));
  }
}
