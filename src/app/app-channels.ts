import type { ChannelJoin, Delivery, Recovery, Refusal } from "../do-contracts";
import type { StubCache } from "../stubs";
import type { AppBlocks } from "./app-blocks";
import type { BoundApp } from "./bound-app";
import { ChannelOrder } from "./channel-order";
import type { ObjectStarts } from "./object-starts";
import type { Session } from "./session";
import type { SessionStore } from "./session-store";
import { type SubscriptionLimits, SubscriptionQuota } from "./subscription-quota";

/** What the fan-out's app side uses of its object. */
export interface ChannelHost {
  app: BoundApp;
  blocks: AppBlocks;
  store: SessionStore;
  stubs: StubCache;
  limits: SubscriptionLimits;
  /** Paces the joins of channels the app is not on yet (each starts or wakes a channel object). */
  starts: ObjectStarts;
  /** Sends a frame to a block (through the slow-consumer bound). */
  send(to: Session, text: string): boolean;
  background(work: Promise<unknown>): void;
}

/** A join in flight for a channel: how many blocks wait for it, and the messages that arrived meanwhile. */
interface JoinWindow {
  waiting: number;
  arrived: { seq: number; text: string }[];
}

/** Where the channel stands, as the `sub` ack tells it; `recovered` only when the `sub` asked to recover. */
export interface SubAck {
  seq: number;
  epoch: string;
  recovered?: boolean;
}

/**
 * What a block gets: the ack's fields, and the frames that follow it (the missed messages when it
 * recovered, else the retained frame if any; then what was published since its join); or the quota
 * that refused the subscription; or "gone" when the block left meanwhile.
 */
export type Joined = { ack: SubAck; frames: string[] } | Refusal | "gone";

const key = (conn: string, channel: string): string => `${conn}\u0000${channel}`;
const noop = (): void => {};

/**
 * The app object's side of the two-level fan-out: it joins a channel object when it gains its
 * first local subscriber and leaves when it loses its last, and delivers each channel message once
 * to every local subscriber.
 *
 * Joins in flight are counted so that a last `unsub` racing a new `sub` never sends a `leave`
 * after the `join`. A leave sent before it can still arrive after it (the stub cache drops a stub
 * once nothing is in flight through it, and calls through two stubs are not ordered), so every join
 * and leave carries an `order` and the channel object ignores a leave older than the member's join.
 * The channel object's deliveries and its answer to a join travel separately and may cross: so a
 * join answers the channel's seq, messages after it that overtook the answer are handed to the new
 * subscriber after its ack and retained frame, and older ones that arrive late are not delivered to it.
 * A recovering join is the same: the channel object reads the missed messages up to that seq in the
 * same turn as it answers the seq, so missed and live messages meet without a gap or an overlap.
 *
 * @example
 * ```ts
 * const joined = await channels.subscribe(session, "prices"); // then ack, then joined.frames
 * ```
 */
export class AppChannels {
  private readonly joining = new Map<string, JoinWindow>();
  /** Per block and channel: the tail of its sub/unsub frames still being applied. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Per block and channel: its join's seq, while messages up to it may still arrive. */
  private readonly joinedAt = new Map<string, number>();
  private readonly quota: SubscriptionQuota;
  /** Puts the app's own messages (from publish answers) and everyone else's (delivery calls) in seq order. */
  private readonly inSeq = new ChannelOrder((channel, d) => this.deliverLocal(channel, d.text, d.seq));
  /** Grows with every join and leave sent, across restarts too (it starts from the clock). */
  private order = 0;

  constructor(private readonly host: ChannelHost) {
    this.quota = new SubscriptionQuota(host.limits);
  }

  /** Joins in flight, per-block sub/unsub queues, join marks and seq-order chains (for the stats route). */
  get sizes(): { joins: number; queues: number; joinMarks: number; reserved: number; orderChains: number } {
    return {
      joins: this.joining.size,
      queues: this.queues.size,
      joinMarks: this.joinedAt.size,
      reserved: this.quota.joining,
      orderChains: this.inSeq.size,
    };
  }

  /** Subscribes a block; resolves with the ack's fields and the frames to send after it (none if it already was subscribed). */
  subscribe(session: Session, channel: string, recovery?: Recovery): Promise<Joined> {
    return this.inOrder(session, channel, () => this.join(session, channel, recovery));
  }

  unsubscribe(session: Session, channel: string): Promise<void> {
    return this.inOrder(session, channel, async () => {
      this.joinedAt.delete(key(session.conn, channel));
      if (!session.channels.has(channel)) return;
      this.host.blocks.index.unsubscribe(session, channel);
      this.host.store.removeSub(session.conn, channel);
      this.leaveIfUnused(channel);
    });
  }

  /** On disconnect: leaves every channel this block was the last local subscriber of. */
  leaveAll(session: Session): void {
    for (const channel of session.channels) {
      this.joinedAt.delete(key(session.conn, channel));
      this.leaveIfUnused(channel);
    }
  }

  /**
   * Takes a channel message for the local subscribers, from a delivery call or from the answer to
   * this app's own publish, and passes it on in seq order; 0 tells the channel object to drop this app.
   */
  deliver(channel: string, d: Delivery): number {
    return this.inSeq.deliver(channel, d, this.joining.has(channel));
  }

  /** Sends a channel frame to the local subscribers; 0 tells the channel object to drop this app. */
  private deliverLocal(channel: string, text: string, seq: number): number {
    const window = this.joining.get(channel);
    window?.arrived.push({ seq, text });
    const subscribers = this.host.blocks.index.channels.get(channel);
    if (!subscribers) return window ? 1 : 0;
    const recent = this.joinedAt.size > 0;
    for (const s of subscribers) {
      if (recent) {
        const k = key(s.conn, channel);
        const after = this.joinedAt.get(k);
        if (after !== undefined && seq <= after) continue;
        // Deliveries from the channel arrive in seq order: nothing older follows this one.
        this.joinedAt.delete(k);
      }
      this.host.send(s, text);
    }
    return subscribers.size;
  }

  private async join(session: Session, channel: string, recovery: Recovery | undefined): Promise<Joined> {
    if (session.channels.has(channel)) return this.alreadyJoined(channel, recovery);
    const index = this.host.blocks.index;
    const uid = session.identity.uid;
    const newChannel = !index.channels.has(channel) && !this.joining.has(channel);
    const appChannels = index.channels.size + this.joining.size;
    const release = this.quota.reserve(session.conn, uid, {
      block: session.channels.size,
      user: index.subsByUid.get(uid) ?? 0,
      appChannels,
      newChannel,
    });
    if (typeof release !== "function") return release;
    try {
      if (newChannel) {
        const refused = await this.host.starts.admit(uid, Date.now());
        if (refused) return refused;
        if (!index.byConn.has(session.conn)) return "gone"; // it left while its join waited its turn
      }
      return await this.joinChannel(session, channel, recovery);
    } finally {
      release();
    }
  }

  /**
   * A `sub` of a channel this connection is already on resends nothing: the subscription never
   * lapsed, so it has every message already. Its ack still says where the channel stands.
   */
  private async alreadyJoined(channel: string, recovery: Recovery | undefined): Promise<Joined> {
    let at: { seq: number; epoch: string };
    try {
      at = await this.host.stubs.channel(channel).position(channel);
    } catch (err) {
      this.host.stubs.forget("channel", channel);
      throw err;
    }
    if (!recovery) return { ack: at, frames: [] };
    const recovered = (recovery.epoch === undefined || recovery.epoch === at.epoch) && recovery.since <= at.seq;
    return { ack: { ...at, recovered }, frames: [] };
  }

  private async joinChannel(session: Session, channel: string, recovery: Recovery | undefined): Promise<Joined> {
    const window = this.joining.get(channel) ?? { waiting: 0, arrived: [] };
    this.joining.set(channel, window);
    window.waiting++;
    let joined: ChannelJoin;
    try {
      joined = await this.host.stubs.channel(channel).join(channel, this.host.app.name ?? "", this.nextOrder(), recovery);
      // Messages that waited for the join's seq pass now, while the join window still collects them.
      this.inSeq.joined(channel, joined.seq);
    } catch (err) {
      this.host.stubs.forget("channel", channel);
      throw err;
    } finally {
      if (--window.waiting === 0) this.joining.delete(channel);
    }
    const index = this.host.blocks.index;
    if (!index.byConn.has(session.conn)) {
      this.leaveIfUnused(channel);
      return "gone";
    }
    index.subscribe(session, channel);
    this.host.store.addSub(session.conn, channel);
    const since = window.arrived.filter((m) => m.seq > joined.seq).map((m) => m.text);
    // A newer message already here means every older one is too; otherwise older ones may still come.
    if (since.length === 0) this.joinedAt.set(key(session.conn, channel), joined.seq);
    const { seq, epoch, recovered } = joined;
    const ack: SubAck = recovered === undefined ? { seq, epoch } : { seq, epoch, recovered };
    const first = joined.missed ?? (joined.retained === null ? [] : [joined.retained]);
    return { ack, frames: first.length === 0 ? since : [...first, ...since] };
  }

  /**
   * Applies one block's sub and unsub frames for a channel in the order they came, although a
   * join waits for the channel object: a pipelined `sub` then `unsub` ends unsubscribed.
   */
  private inOrder<T>(session: Session, channel: string, op: () => Promise<T>): Promise<T> {
    const k = key(session.conn, channel);
    const previous = this.queues.get(k);
    const result = previous ? previous.then(op) : op();
    const tail = result.then(noop, noop);
    this.queues.set(k, tail);
    void tail.then(() => {
      if (this.queues.get(k) === tail) this.queues.delete(k);
    });
    return result;
  }

  private nextOrder(): number {
    this.order = Math.max(this.order + 1, Date.now() * 1000);
    return this.order;
  }

  private leaveIfUnused(channel: string): void {
    if (this.host.blocks.index.channels.has(channel) || this.joining.has(channel)) return;
    const app = this.host.app.name ?? "";
    this.inSeq.left(channel);
    this.host.background(
      this.host.stubs
        .channel(channel)
        .leave(channel, app, this.nextOrder())
        .catch(() => this.host.stubs.forget("channel", channel)),
    );
  }
}
