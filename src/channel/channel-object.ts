import { DurableObject } from "cloudflare:workers";
import { KeyedBatcher } from "../batcher";
import { readConfig } from "../config";
import type { ChannelJoin, ChannelPeek, ChannelRpc, ChannelStats, Delivery, Publish, Published, Recovery } from "../do-contracts";
import { deferSchema } from "../storage/deferred-schema";
import { StubCache } from "../stubs";
import { ChannelFlush } from "./channel-flush";
import { ChannelHistory, type HistoryBounds } from "./channel-history";
import { ChannelState } from "./channel-state";
import { type IdleHeld, IdleRelease } from "./idle-release";
import { LeaseGrant } from "./lease-grant";

/**
 * One per channel: assigns each message its `seq`, keeps the retained value, and fans a message
 * out once to every app object that has subscribers (which then delivers to its own sockets).
 *
 * Order: a publisher's frames reach this object in order (its app object sends them in batches,
 * one call in flight per channel), this object numbers them one at a time, and it sends each member
 * app its messages in `seq` order, again one batch in flight per member. See docs/protocol.md.
 */
export class ChannelObject extends DurableObject<Env> implements ChannelRpc {
  private state: ChannelState;
  private history: ChannelHistory;
  private readonly historyBounds: HistoryBounds;
  private readonly idle: IdleRelease;
  /** The alarm set for the idle check, once known: undefined until read, null when none. */
  private alarmAt: number | null | undefined;
  private readonly stubs: StubCache;
  private channel = "";
  /** Per member app: one delivery call in flight; what arrives meanwhile goes in the next. */
  private readonly deliveries: KeyedBatcher<Delivery, number>;
  private flush: ChannelFlush;
  /** The numbering lease of the channel's only member app, if it has one (see LeaseGrant). */
  private readonly leases: LeaseGrant;
  /** Per member app: the seq of the last message routed to it by this run of the object (a Delivery's `prev`). */
  private readonly routed = new Map<string, number>();
  /** Publishes waiting for a durable ceiling (see ChannelFlush), in the order they came; later ones queue behind. */
  private numbering: Promise<unknown> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readConfig(env);
    const { maxBatchBytes, channelIdleMs } = config;
    this.historyBounds = { size: config.historySize, ttlMs: config.historyTtlMs, bytes: config.historyBytes };
    const sql = deferSchema(ctx.storage.sql);
    this.state = new ChannelState(sql);
    this.history = new ChannelHistory(sql, this.historyBounds, Date.now());
    this.stubs = new StubCache(env);
    this.idle = new IdleRelease(channelIdleMs, Date.now());
    this.leases = new LeaseGrant(
      {
        state: () => this.state,
        revoke: (app, id) => this.stubs.app(app).rpcEndLease(app, this.channel, id),
        ended: (app, skipped) => {
          if (skipped) this.routed.delete(app);
          // The stored ceiling covers the lease's end: a flush brings it down once the channel is quiet.
          this.flush.soon();
        },
      },
      config.channelLease,
    );
    this.flush = this.newFlush();
    this.deliveries = new KeyedBatcher(
      async (app, items) => {
        const delivered = await this.stubs.app(app).rpcDeliverBatch(app, this.channel, items);
        return items.map(() => delivered);
      },
      // No pause: deliveries leave after the storage commit, during which the next batch fills anyway.
      { maxBatchBytes, sizeOf: (d) => d.text.length, pause: null },
    );
  }

  /**
   * Adds an app as a member; answers the seq so far (the member delivers to the new subscriber only
   * messages after it), the epoch, and what the subscriber gets first: with `recovery`, the messages
   * it missed when history still holds all of them, else the retained frame. The read and the seq
   * come from one turn of this object, so no publish falls between them.
   */
  join(channel: string, app: string, order?: number, recovery?: Recovery): ChannelJoin | Promise<ChannelJoin> {
    this.bind(channel);
    return this.leases.whenFree(() => this.joinNow(app, order, recovery));
  }

  private joinNow(app: string, order: number | undefined, recovery: Recovery | undefined): ChannelJoin {
    this.state.join(app, order);
    const { seq, seqEpoch: epoch } = this.state;
    this.routed.set(app, seq);
    const retained = this.state.retained();
    if (!recovery) return { seq, epoch, retained };
    // A position among the seqs a crash skipped (never stored) has missed nothing kept after it.
    const skipped = this.state.skipped;
    const since = skipped && recovery.since > skipped.from && recovery.since < skipped.to ? skipped.to : recovery.since;
    const missed = recovery.epoch === undefined || recovery.epoch === epoch ? this.history.since(since, seq, Date.now()) : "gap";
    if (missed === "gap") return { seq, epoch, retained, recovered: false };
    return { seq, epoch, retained: null, recovered: true, missed };
  }

  position(channel: string): { seq: number; epoch: string } | Promise<{ seq: number; epoch: string }> {
    this.bind(channel);
    return this.leases.whenFree(() => ({ seq: this.state.seq, epoch: this.state.seqEpoch }));
  }

  leave(channel: string, app: string, order?: number): void | Promise<void> {
    this.bind(channel);
    return this.leases.whenFree(() => this.leaveNow(app, order));
  }

  private leaveNow(app: string, order: number | undefined): void {
    this.state.leave(app, undefined, order);
    if (!this.state.members().has(app)) this.routed.delete(app);
    // Not awaited, as in publishBatch: a leave that waited on the alarm's storage made the joins and
    // leaves of a busy channel slow enough that, in the churn test, a subscriber missed its own message.
    void this.armIdleCheck();
  }

  /** Publishes one message; answers its seq once it is stored. */
  async publish(channel: string, fromJson: string, data: string, retain: boolean): Promise<number> {
    const [seq] = (await this.publishBatch(channel, [{ fromJson, data, retain }])).seqs;
    await this.durable(channel, seq!);
    return seq!;
  }

  /**
   * Publishes messages in order and hands them to the member apps at once; answers their seqs.
   * They are stored by a later flush (within LAZY_FLUSH_MS, FLUSH_MS once an ack waits): `durable` says when. The publisher's own
   * app (`from`), when a member, gets its deliveries in the answer: it delivers them itself.
   */
  publishBatch(channel: string, items: Publish[], from?: string): Published | Promise<Published> {
    this.bind(channel);
    return this.leases.whenFree(() => this.publishNow(items, from));
  }

  /**
   * Takes the messages the lease holder numbered (see LeaseGrant): they are kept and stored as if
   * numbered here, and go to no other app (a join takes the lease back first). Answers the lease's end.
   */
  appendLeased(channel: string, app: string, id: string, first: number, items: Publish[]): number {
    this.bind(channel);
    if (!this.leases.accepts(app, id, first, items.length)) {
      throw new Error(`the numbering lease ${id} of "${channel}" has ended`);
    }
    this.keep(items);
    this.routed.set(app, this.state.seq);
    return this.leases.extend();
  }

  releaseLease(channel: string, app: string, id: string, last: number): void {
    this.bind(channel);
    this.leases.release(app, id, last);
  }

  private publishNow(items: Publish[], from: string | undefined): Published | Promise<Published> {
    // Only here may a lease be lent: nothing queued for numbering could then follow it.
    if (this.numbering === undefined && this.state.admits(items.length)) return this.number(items, from, true);
    // Numbering reached the durable ceiling: this batch, and every one after it, waits for a flush.
    const turn = (this.numbering ?? Promise.resolve()).then(async () => {
      while (!this.state.admits(items.length)) await this.flush.reserve();
      return this.number(items, from, false);
    });
    this.numbering = turn;
    const settled = () => {
      if (this.numbering === turn) this.numbering = undefined;
    };
    turn.then(settled, settled);
    return turn;
  }

  /**
   * Resolves once the message `seq` is stored (the answer leaves with that commit): a publish's
   * acknowledgement; with `lowest`, for every seq from `lowest` to `seq` at once (a flush stores all
   * numbered so far), refused if any of them was lost in a restart.
   */
  durable(channel: string, seq: number, lowest = seq): Promise<void> | undefined {
    this.bind(channel);
    // Numbered by an earlier run of this object that stopped before storing it (a crash): never acknowledged.
    const skipped = this.state.skipped;
    if (skipped && lowest <= skipped.to && seq > skipped.from) {
      throw new Error(`message ${Math.max(lowest, skipped.from + 1)} of "${channel}" was lost in a restart before it was stored`);
    }
    return this.flush.durable(seq);
  }

  /** Numbers the messages and keeps them: in the channel's state, in history, and stored by the next flush. */
  private keep(items: Publish[]): { seq: number; text: string }[] {
    const published = items.map((p) => this.state.publish(p.fromJson, p.data, p.retain));
    this.history.append(published, Date.now());
    this.flush.soon();
    return published;
  }

  private number(items: Publish[], from: string | undefined, mayLease: boolean): Published {
    const published = this.keep(items);
    void this.armIdleCheck();
    const handed: Promise<unknown>[] = [];
    let local: Delivery[] | undefined;
    for (const [app, epoch] of this.state.members()) {
      for (const { seq, text } of published) {
        const item: Delivery = { text, seq, prev: this.routed.get(app) };
        this.routed.set(app, seq);
        if (app === from) {
          local = local ?? [];
          local.push(item);
          continue;
        }
        const delivery = this.deliveries.push(app, item).then(
          // A member with no subscribers left heals the stale membership (unless it re-joined meanwhile).
          (delivered) => {
            if (delivered === 0) {
              this.state.leave(app, epoch);
              if (!this.state.members().has(app)) this.routed.delete(app);
              void this.armIdleCheck();
            }
          },
          () => this.stubs.forget("app", app),
        );
        handed.push(delivery);
      }
    }
    // Deliveries are queued in memory after this call returns. The runtime keeps an object whose
    // waitUntil work is pending (Cloudflare, from compatibility date 2026-10-01 or with the flag
    // durable_object_io_tasks_prevent_eviction; see docs/protocol.md "Queued channel deliveries").
    if (handed.length > 0) this.ctx.waitUntil(Promise.all(handed));
    const seqs = published.map((m) => m.seq);
    const answer: Published = local ? { seqs, local } : { seqs };
    const lease = this.leases.offer(from, this.state.members(), mayLease);
    if (lease) answer.lease = lease;
    return answer;
  }

  /**
   * Stores what waits and lowers the ceiling to the seq, as a quiet channel does by itself within two
   * flush intervals: a fresh object over this storage then goes on with no skip (a clean stop).
   */
  async settle(channel: string): Promise<void> {
    this.bind(channel);
    await this.leases.whenFree(() => this.flush.run(true));
  }

  stats(channel: string): ChannelStats | Promise<ChannelStats> {
    this.bind(channel);
    return this.leases.whenFree(() => this.statsNow(channel));
  }

  private statsNow(channel: string): ChannelStats {
    const { seq, seqEpoch: epoch } = this.state;
    const members = [...this.state.members().keys()];
    return { channel, seq, epoch, members, retained: this.state.retained() !== null, history: this.history.size };
  }

  /**
   * Frees the storage of a channel that has had no member, no retained value and no unexpired
   * history for NEXUS_CHANNEL_IDLE_MS; `seq` then starts again from 0 under a new epoch.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    // What waits is stored first: its acknowledgements are owed, and the decision needs the bounds applied.
    if (this.flush.pending) await this.flush.run(true);
    const decision = this.idle.decide(Date.now(), this.held());
    if (decision === "in use") return;
    if (decision !== "release" || this.deliveries.size > 0) {
      await this.setAlarm(decision === "release" ? Date.now() + 1000 : decision.wakeAt);
      return;
    }
    await this.ctx.storage.deleteAll();
    // Nothing is written again until the channel is used again.
    const sql = deferSchema(this.ctx.storage.sql);
    this.state = new ChannelState(sql);
    this.history = new ChannelHistory(sql, this.historyBounds, Date.now());
    this.flush = this.newFlush();
    this.routed.clear();
  }

  private newFlush(): ChannelFlush {
    return new ChannelFlush({
      state: () => this.state,
      history: () => this.history,
      sync: () => this.ctx.storage.sync(),
      leased: () => this.leases.to,
      keep: (work) => this.ctx.waitUntil(work),
    });
  }

  private held(): IdleHeld {
    return {
      members: this.state.members().size,
      retained: this.state.retained() !== null,
      historyUntil: this.history.keptUntil(),
    };
  }

  /** A channel that has just become unused is looked at again once it has been idle long enough. */
  private async armIdleCheck(): Promise<void> {
    const decision = this.idle.decide(Date.now(), this.held());
    if (decision === "in use" || decision === "release") return;
    this.alarmAt ??= await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null) return; // the alarm looks again when it fires
    await this.setAlarm(decision.wakeAt);
  }

  private async setAlarm(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  adminPeek(channel: string): ChannelPeek | Promise<ChannelPeek> {
    this.bind(channel);
    return this.leases.whenFree(() => ({
      seq: this.state.seq,
      members: [...this.state.members().keys()],
      retained: this.state.retained(),
    }));
  }

  private bind(channel: string): void {
    this.channel = channel;
    this.state.bind(channel);
    this.idle.touch(Date.now());
  }
}
