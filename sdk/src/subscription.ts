import type { GapEvent, ResubscribedEvent } from "./channel-position";
import { Emitter } from "./emitter";
import type { ChannelMessage, MessageHandler } from "./options";

/**
 * A subscription's events: `resubscribed` each time the client subscribed the channel again after a
 * reconnect (`recovered` says whether every missed message was replayed), before the messages behind
 * the ack; `gap` when messages were missed: a resubscribe the edge could not recover, or a live `seq`
 * that skipped some.
 *
 * @example
 * ```ts
 * sub.on("gap", (g) => reload(g.channel)); // fetch the state afresh: some messages are gone
 * ```
 */
export type SubscriptionEvents = {
  resubscribed: [ResubscribedEvent];
  gap: [GapEvent];
};

/**
 * One local subscription to a channel: a handler, an async iterator, or both. Several local
 * subscriptions of one channel share one `sub` on the wire (see `ChannelSubscriptions`). After a
 * reconnect the client subscribes again with what it saw last, and the edge replays the missed
 * messages (in order, each once) while its history holds them; `recovered` and the `resubscribed`
 * and `gap` events tell which happened, as centrifuge-js does.
 *
 * @example
 * ```ts
 * const sub = await nx.subscribe("prices");
 * sub.on("gap", (g) => console.warn("missed messages on", g.channel, g.reason));
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
  private readonly events: Emitter<SubscriptionEvents>;
  private lastRecovered: boolean | undefined;

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
    this.events = new Emitter<SubscriptionEvents>(onHandlerError);
  }

  /** True once unsubscribed or the client closed. */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Whether the last resubscribe (after a reconnect) recovered every missed message: undefined
   * until the client had to subscribe again, then true or false.
   */
  get recovered(): boolean | undefined {
    return this.lastRecovered;
  }

  /** Adds a listener of `resubscribed` or `gap`; call the returned function to remove it. */
  on<K extends keyof SubscriptionEvents>(event: K, listener: (...args: SubscriptionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** @internal Reports a (re)subscribe or a gap to this subscription's listeners. */
  notify<K extends keyof SubscriptionEvents>(event: K, ...args: SubscriptionEvents[K]): void {
    if (this.ended) return;
    if (event === "resubscribed") this.lastRecovered = (args[0] as ResubscribedEvent).recovered;
    this.events.emit(event, ...args);
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
