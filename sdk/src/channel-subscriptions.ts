import { NAME_PATTERN } from "../../src/protocol/codec";
import type { ServerFrame } from "../../src/protocol/frames";
import { Backoff } from "./backoff";
import { ChannelPosition } from "./channel-position";
import { ErrorCode, isNexusError, NexusError } from "./errors";
import type { ChannelMessage, MessageHandler } from "./options";
import type { AnswerFrame, RequestFrame } from "./pending-calls";
import { Subscription } from "./subscription";

/**
 * What the registry needs from the client.
 *
 * @example
 * ```ts
 * const link: ChannelLink = { isOpen: () => conn.isOpen(), declare: (f) => pending.request(f, opts), error: console.error };
 * ```
 */
export interface ChannelLink {
  isOpen(): boolean;
  /** Writes a request on the open socket (before `connected` too) and resolves with its ack. */
  declare(frame: RequestFrame): Promise<AnswerFrame | undefined>;
  error(err: unknown): void;
}

interface Waiter {
  sub: Subscription;
  resolve(sub: Subscription): void;
  reject(err: unknown): void;
}

interface Channel {
  subs: Set<Subscription>;
  active: boolean;
  waiters: Waiter[];
  position: ChannelPosition;
  /** Messages that arrived while the `sub` was waiting for its ack: the ack decides what they are. */
  held: ChannelMessage[] | undefined;
  /** A resubscribe the edge refused for now (`rate_limited`): the next try, and how long the tries wait. */
  retry?: { backoff: Backoff; timer: ReturnType<typeof setTimeout> | undefined };
}

/** How a refused resubscribe waits before it tries again: 0.5 s doubling to 5 s, full jitter. */
const RESUBSCRIBE_RETRY = { initialDelayMs: 500, maxDelayMs: 5000 };

/**
 * The channels this client wants, each with its local subscriptions. One wire `sub` per channel
 * however many local subscriptions share it; all restored after a reconnect, with `since`/`epoch`
 * so that the edge replays what was missed (duplicates, `seq` at or below the last delivered under
 * the same epoch, are dropped); `unsub` when the last goes. Each resubscribe is reported to the
 * subscriptions (`resubscribed`, and `gap` when it could not recover), as is a `seq` that jumps.
 *
 * @example
 * ```ts
 * const channels = new ChannelSubscriptions(link);
 * const sub = await channels.add("prices", (text) => console.log(text));
 * // on welcome: await channels.restore(); on each msg frame: channels.deliver(frame)
 * ```
 */
export class ChannelSubscriptions {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly link: ChannelLink) {}

  /** The channels with at least one local subscription. */
  names(): string[] {
    return [...this.channels.keys()];
  }

  /** Adds a local subscription; resolves once the server's ack says messages flow. */
  add(channel: string, handler: MessageHandler | undefined): Promise<Subscription> {
    if (!NAME_PATTERN.test(channel)) {
      return Promise.reject(new NexusError(ErrorCode.bad_request, `channel must match ${NAME_PATTERN.source}: ${channel}`));
    }
    const sub = new Subscription(channel, handler, (s) => this.remove(s), this.link.error);
    let entry = this.channels.get(channel);
    if (entry?.active) {
      entry.subs.add(sub);
      return Promise.resolve(sub);
    }
    const isNew = !entry;
    entry ??= { subs: new Set(), active: false, waiters: [], position: new ChannelPosition(channel), held: undefined };
    this.channels.set(channel, entry);
    entry.subs.add(sub);
    const ready = new Promise<Subscription>((resolve, reject) => entry.waiters.push({ sub, resolve, reject }));
    if (isNew && this.link.isOpen()) this.sendSub(channel, entry);
    return ready;
  }

  /** Sends one `sub` per channel on a fresh socket; resolves when every channel is acked or failed. */
  async restore(): Promise<void> {
    await Promise.all([...this.channels].map(([name, entry]) => this.sendSub(name, entry)));
  }

  /** The socket dropped: every channel must be subscribed again on the next one. */
  dropped(): void {
    for (const entry of this.channels.values()) {
      entry.active = false;
      stopRetry(entry);
    }
  }

  /** Hands a `msg` frame to the channel's local subscriptions (unless it is a duplicate). */
  deliver(frame: Extract<ServerFrame, { t: "msg" }>): void {
    const entry = this.channels.get(frame.channel);
    if (!entry) return;
    const message: ChannelMessage = {
      channel: frame.channel,
      text: frame.data,
      from: frame.from,
      seq: frame.seq,
      retained: frame.retained === true,
    };
    if (entry.held) entry.held.push(message);
    else this.pass(entry, message);
  }

  private pass(entry: Channel, message: ChannelMessage): void {
    const { deliver, gap } = entry.position.accept(message.seq, message.retained);
    if (gap) for (const sub of entry.subs) sub.notify("gap", gap);
    if (deliver) for (const sub of entry.subs) sub.deliver(message);
  }

  private retryLater(name: string, entry: Channel): void {
    entry.retry ??= { backoff: new Backoff(RESUBSCRIBE_RETRY), timer: undefined };
    const retry = entry.retry;
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      if (this.channels.get(name) === entry && !entry.active && this.link.isOpen()) void this.sendSub(name, entry);
    }, retry.backoff.next());
  }

  /** Ends every subscription and rejects every waiting `subscribe()` (the client closed). */
  closeAll(error: NexusError): void {
    for (const entry of this.channels.values()) {
      stopRetry(entry);
      for (const sub of entry.subs) sub.end();
      for (const waiter of entry.waiters) waiter.reject(error);
    }
    this.channels.clear();
  }

  private async sendSub(name: string, entry: Channel): Promise<void> {
    // The socket may hand over the ack and the messages behind it in one go, before this resumes.
    entry.held = [];
    let ack: AnswerFrame | undefined;
    try {
      ack = await this.link.declare({ t: "sub", channel: name, ...entry.position.resumeFields() });
    } catch (err) {
      entry.held = undefined;
      // A drop is not a failure: the next socket's restore subscribes again and the waiters keep waiting.
      if (isNexusError(err, ErrorCode.disconnected) && err.retryable) return;
      if (this.channels.get(name) !== entry) return;
      const waiters = entry.waiters.splice(0);
      for (const waiter of waiters) {
        entry.subs.delete(waiter.sub);
        waiter.sub.end();
        waiter.reject(err);
      }
      if (entry.subs.size === 0) {
        this.channels.delete(name);
        return;
      }
      // Older subscriptions remain (a resubscribe): one the edge refused for now (it paces joins of
      // channels new to the app: after a reconnect with many subscriptions, `rate_limited`) is tried
      // again later, not dropped.
      if (err instanceof NexusError && err.retryable) this.retryLater(name, entry);
      if (waiters.length === 0) this.link.error(err);
      return;
    }
    if (this.channels.get(name) !== entry) return;
    entry.active = true;
    entry.retry = undefined;
    const { resubscribed, gap } = entry.position.acked(ack?.t === "ack" ? ack : {});
    if (resubscribed) for (const sub of entry.subs) sub.notify("resubscribed", resubscribed);
    if (gap) for (const sub of entry.subs) sub.notify("gap", gap);
    const held = entry.held ?? [];
    entry.held = undefined;
    for (const message of held) this.pass(entry, message);
    for (const waiter of entry.waiters.splice(0)) waiter.resolve(waiter.sub);
  }

  private async remove(sub: Subscription): Promise<void> {
    const entry = this.channels.get(sub.channel);
    if (!entry?.subs.delete(sub)) return;
    if (entry.subs.size > 0) return;
    this.channels.delete(sub.channel);
    stopRetry(entry);
    for (const waiter of entry.waiters) waiter.reject(new NexusError(ErrorCode.bad_request, "unsubscribed before the ack"));
    if (!this.link.isOpen()) return;
    try {
      await this.link.declare({ t: "unsub", channel: sub.channel });
    } catch (err) {
      // After a drop the server has forgotten the subscription anyway.
      if (!isNexusError(err, ErrorCode.disconnected)) throw err;
    }
  }
}

function stopRetry(entry: Channel): void {
  if (entry.retry?.timer !== undefined) clearTimeout(entry.retry.timer);
  entry.retry = undefined;
}
