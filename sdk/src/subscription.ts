import type { ChannelMessage, MessageHandler } from "./options";

/**
 * One local subscription to a channel: a handler, an async iterator, or both. Several local
 * subscriptions of one channel share one `sub` on the wire (see `ChannelSubscriptions`).
 *
 * @example
 * ```ts
 * const sub = await nx.subscribe("prices");
 * for await (const m of sub) {
 *   console.log(m.seq, m.text);
 *   if (m.text === "stop") await sub.unsubscribe(); // ends the loop
 * }
 * ```
 */
export class Subscription implements AsyncIterable<ChannelMessage> {
  private queue: ChannelMessage[] | undefined;
  private waiting: ((result: IteratorResult<ChannelMessage>) => void) | undefined;
  private ended = false;

  /** @internal Created by `NexusClient.subscribe`. */
  constructor(
    readonly channel: string,
    private readonly handler: MessageHandler | undefined,
    private readonly release: (sub: Subscription) => Promise<void>,
    private readonly onHandlerError: (err: unknown) => void,
  ) {
    // Without a handler the iterator is the only consumer: keep what arrives before the loop starts
    // (the retained message may arrive in the same tick as the ack).
    if (!handler) this.queue = [];
  }

  /** True once unsubscribed or the client closed. */
  get closed(): boolean {
    return this.ended;
  }

  /** Stops this subscription; the wire `unsub` goes out when it was the channel's last one. */
  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.end();
    await this.release(this);
  }

  /** @internal Hands one message to the handler and the iterator. */
  deliver(message: ChannelMessage): void {
    if (this.ended) return;
    if (this.handler) {
      try {
        const result = this.handler(message.text, message);
        if (result instanceof Promise) result.catch(this.onHandlerError);
      } catch (err) {
        this.onHandlerError(err);
      }
    }
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: message, done: false });
    } else this.queue?.push(message);
  }

  /** @internal Ends iteration; called on unsubscribe and when the client closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChannelMessage> {
    this.queue ??= [];
    return {
      next: () => {
        const queued = this.queue?.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      // `break` out of a for-await loop unsubscribes, as nats.js does.
      return: async () => {
        await this.unsubscribe();
        return { value: undefined, done: true };
      },
    };
  }
}
