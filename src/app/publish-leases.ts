import { BatchQueueFull, type Taken } from "../batcher";
import { msgHead } from "../channel/channel-state";
import type { Delivery, Lease, Publish } from "../do-contracts";
import type { StubCache } from "../stubs";

/** How long messages numbered under a lease wait before they go to the channel object together (ms), unless an ack waits. */
export const LEASE_SEND_MS = 5;
/** A lease not used for this long is given back, so that the object may hibernate holding none (ms). */
export const LEASE_IDLE_MS = 1000;
/** Messages in one append call, at most (as in one publish batch). */
const MAX_APPEND = 512;

/** How an app object publishes to a channel: under the channel's lease when it holds one, else through the publish batch. */
export interface ChannelPublisher {
  /** Resolves with the message's seq once the channel object has it; `acked`: its publisher waits for an ack (it goes sooner). */
  push(channel: string, item: Publish, acked?: boolean): Promise<number>;
  /** Channels with a publish batch in flight (for the stats route). */
  readonly size: number;
}

/** What the leases use of their app object. */
export interface LeaseHost {
  app(): string;
  stubs: StubCache;
  /** Hands a numbered message to the app's subscribers of the channel, in seq order (AppChannels.deliver). */
  deliver(channel: string, d: Delivery): void;
  background(work: Promise<unknown>): void;
  maxBatchBytes: number;
  maxQueuedBytes: number;
}

interface Chunk {
  first: number;
  items: Publish[];
  bytes: number;
  urgent: boolean;
  sent: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

interface Held {
  id: string;
  channel: string;
  /** The last seq numbered here, and the last this lease may number. */
  last: number;
  to: number;
  /** False once it ends: nothing more is numbered under it. */
  active: boolean;
  /** Numbered, not yet sent; the last chunk is open. */
  chunks: Chunk[];
  bytes: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerMs: number;
  sending: Promise<void> | undefined;
  /** An append failed (the channel object no longer knows the lease): what was numbered after it is lost. */
  failed: boolean;
  usedAt: number;
  idle: ReturnType<typeof setTimeout> | undefined;
  finishing: Promise<number | null> | undefined;
}

const noop = (): void => {};

function chunk(first: number, urgent: boolean): Chunk {
  let resolve = noop;
  let reject: (err: unknown) => void = noop;
  const sent = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure is told through each message's own promise; this one must not count as unhandled.
  sent.catch(noop);
  return { first, items: [], bytes: 0, urgent, sent, resolve, reject };
}

/**
 * The app object's side of numbering leases (see src/channel/lease-grant.ts): while it holds a
 * channel's lease, it numbers its own messages to that channel, delivers them to its subscribers
 * at once (through the same seq order as every other message, ChannelOrder), and sends them to the
 * channel object together every `LEASE_SEND_MS` (at once when a publisher waits for an ack), in
 * order, one append call in flight. A message's push resolves when the channel object has it.
 *
 * Order with the publish batch: publishes queued behind the call that brought the lease are
 * numbered under it first; once a lease ends, the next publish batch leaves only after every
 * message numbered under it has been appended (`settled`), so one publisher's messages keep their
 * order. A lease ends when the channel object takes it back (`end`), when its seqs run out, when it
 * was not used for `LEASE_IDLE_MS` (then it is given back, so that a hibernating object holds
 * none), or when an append fails.
 *
 * @example
 * ```ts
 * const leases = new PublishLeases(host);
 * leases.grant("prices", answer.lease, lastSeq, () => batcher.takeQueued("prices"), (p) => batcher.push("prices", p));
 * const seq = await (leases.take("prices", item, false) ?? batcher.push("prices", item));
 * ```
 */
export class PublishLeases {
  private readonly held = new Map<string, Held>();
  /** Leases the channel object took back before their grant arrived here: they are never used. */
  private readonly refused: string[] = [];

  constructor(
    private readonly host: LeaseHost,
    private readonly sendMs = LEASE_SEND_MS,
    private readonly idleMs = LEASE_IDLE_MS,
  ) {}

  /** Leases held (for the stats route). */
  get size(): number {
    return this.held.size;
  }

  /**
   * Takes a lease from a publish answer whose last seq was `last`; the publishes queued behind that
   * call are numbered under it, in order (any it has no room for go back to the batch).
   */
  grant(
    channel: string,
    lease: Lease,
    last: number,
    takeQueued: () => Taken<Publish, number>[],
    requeue: (item: Publish) => Promise<number>,
  ): void {
    const refused = this.refused.indexOf(lease.id);
    if (refused >= 0) {
      this.refused.splice(refused, 1);
      return;
    }
    if (this.held.has(channel)) return;
    const h: Held = {
      id: lease.id,
      channel,
      last,
      to: lease.to,
      active: true,
      chunks: [],
      bytes: 0,
      timer: undefined,
      timerMs: 0,
      sending: undefined,
      failed: false,
      usedAt: Date.now(),
      idle: undefined,
      finishing: undefined,
    };
    this.held.set(channel, h);
    for (const q of takeQueued()) (this.take(channel, q.item, false) ?? requeue(q.item)).then(q.resolve, q.reject);
    this.watchIdle(h);
  }

  /** Numbers a message under the channel's lease and delivers it; undefined when no lease is held (publish it the usual way). */
  take(channel: string, item: Publish, acked: boolean): Promise<number> | undefined {
    const h = this.held.get(channel);
    if (!h?.active) return undefined;
    if (h.last >= h.to) {
      void this.finish(h, true);
      return undefined;
    }
    const bytes = item.data.length + item.fromJson.length;
    if (h.bytes + bytes > this.host.maxQueuedBytes) {
      return Promise.reject(new BatchQueueFull(`more than ${this.host.maxQueuedBytes} bytes wait for channel "${channel}"`));
    }
    const seq = ++h.last;
    let open = h.chunks[h.chunks.length - 1];
    if (!open || open.items.length >= MAX_APPEND || open.bytes + bytes > this.host.maxBatchBytes) {
      open = chunk(seq, acked);
      h.chunks.push(open);
    }
    open.items.push(item);
    open.bytes += bytes;
    open.urgent ||= acked;
    h.bytes += bytes;
    h.usedAt = Date.now();
    this.host.deliver(channel, { text: `${msgHead(channel, item.fromJson, item.data, seq)}}`, seq, prev: seq - 1 });
    this.schedule(h);
    return open.sent.then(() => seq);
  }

  /** Resolves once a lease of this channel that is ending has sent everything (a publish batch waits for it). */
  settled(channel: string): Promise<unknown> | undefined {
    return this.held.get(channel)?.finishing;
  }

  /** The channel object takes lease `id` back: answers the last seq numbered under it once all are appended, or null. */
  end(channel: string, id: string): Promise<number | null> {
    const h = this.held.get(channel);
    if (h?.id === id) return this.finish(h, false);
    // Not (yet) here: the grant may still be on its way, and must then not be used.
    this.refused.push(id);
    if (this.refused.length > 16) this.refused.shift();
    return Promise.resolve(null);
  }

  /** Sends the first chunk after a pause (none when a publisher waits for an ack or more than one chunk is ready). */
  private schedule(h: Held): void {
    if (h.sending || h.chunks.length === 0) return;
    const ms = h.chunks.length > 1 || h.chunks[0]!.urgent ? 0 : this.sendMs;
    if (h.timer !== undefined) {
      if (h.timerMs <= ms) return;
      clearTimeout(h.timer);
    }
    h.timerMs = ms;
    h.timer = setTimeout(() => {
      h.timer = undefined;
      this.send(h);
    }, ms);
  }

  private send(h: Held): void {
    if (h.sending || h.failed) return;
    const c = h.chunks.shift();
    if (!c) return;
    h.bytes -= c.bytes;
    const call = this.host.stubs.channel(h.channel).appendLeased(h.channel, this.host.app(), h.id, c.first, c.items);
    h.sending = Promise.resolve(call)
      .then(
        (to) => {
          if (to > h.to) h.to = to;
          c.resolve();
        },
        (err: unknown) => this.fail(h, c, err),
      )
      .finally(() => {
        h.sending = undefined;
        this.schedule(h);
      });
    this.host.background(h.sending);
  }

  /** The channel object refused the append (it no longer knows the lease) or the call failed: the lease is over. */
  private fail(h: Held, c: Chunk, err: unknown): void {
    h.failed = true;
    h.active = false;
    this.host.stubs.forget("channel", h.channel);
    c.reject(err);
    for (const rest of h.chunks.splice(0)) rest.reject(err);
    h.bytes = 0;
    if (!h.finishing) this.drop(h);
  }

  /** Ends a lease: numbers nothing more, sends what waits, and (`release`: the app gives it back) tells the channel object. */
  private finish(h: Held, release: boolean): Promise<number | null> {
    h.active = false;
    h.finishing ??= (async () => {
      if (h.timer !== undefined) clearTimeout(h.timer);
      h.timer = undefined;
      while (!h.failed && (h.sending || h.chunks.length > 0)) {
        this.send(h);
        await h.sending;
      }
      if (!h.failed && release) {
        try {
          await this.host.stubs.channel(h.channel).releaseLease(h.channel, this.host.app(), h.id, h.last);
        } catch {
          this.host.stubs.forget("channel", h.channel);
        }
      }
      this.drop(h);
      return h.failed ? null : h.last;
    })();
    return h.finishing;
  }

  private drop(h: Held): void {
    if (h.idle !== undefined) clearTimeout(h.idle);
    h.idle = undefined;
    if (this.held.get(h.channel) === h) this.held.delete(h.channel);
  }

  /** Gives the lease back once it has not been used for `idleMs`. */
  private watchIdle(h: Held): void {
    const wait = h.usedAt + this.idleMs - Date.now();
    h.idle = setTimeout(
      () => {
        h.idle = undefined;
        if (!h.active) return;
        if (Date.now() - h.usedAt >= this.idleMs) void this.finish(h, true);
        else this.watchIdle(h);
      },
      Math.max(wait, 1),
    );
  }
}
