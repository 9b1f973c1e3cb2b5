import type { Lease } from "../do-contracts";
import type { ChannelState } from "./channel-state";

/** A lease below this many seqs is not worth its bookkeeping: none is granted. */
const MIN_LEASE = 64;
/** After another app published, no lease for this long (ms): two apps publishing in turn would take it back each time. */
export const LEASE_AFTER_MIX_MS = 1000;

/** What the grant needs of its channel object. */
export interface LeaseHost {
  state(): ChannelState;
  /** Asks the holder to end lease `id`; answers the last seq it numbered, or null when it lost the lease. */
  revoke(app: string, id: string): Promise<number | null>;
  /**
   * A lease ended (the ceiling may come down again: the next flush is due); `skipped`: what the
   * channel routed to `app` so far is no longer the start of that app's order.
   */
  ended(app: string, skipped: boolean): void;
}

interface Held extends Lease {
  app: string;
}

/**
 * The channel object's side of numbering leases. While one app is a channel's only member and
 * publishes to it, every message would cross from that app's object to the channel object and back
 * only to be numbered (one call per batch; on this machine the call costs as much CPU as the rest
 * of the path). So the channel object lends that app a range of seqs: its object numbers and
 * delivers its own messages, and sends them on in batches (`appendLeased`), where they are kept in
 * history and stored as if numbered here.
 *
 * The range never passes the channel's durable ceiling, and every flush stores a ceiling at least
 * the range's end (ChannelFlush): so however either object stops, no seq is handed out twice (a
 * restarted channel object goes on after the ceiling). Anything else that needs the channel's seq
 * (a join, a leave, another app's publish, a position, settle, stats) first takes the lease back
 * (`whenFree`): the holder numbers nothing more, lets what it numbered reach this object, and
 * answers its last seq. A holder that cannot account for the lease (its object started again, so
 * what it numbered but had not sent is gone) answers null, and the channel goes on after the
 * lease's end, as after a crash (ChannelState.skipTo).
 *
 * @example
 * ```ts
 * const leases = new LeaseGrant({ state: () => state, revoke: (app, id) => stubs.app(app).rpcEndLease(app, channel, id) }, 1024);
 * const lease = leases.offer("app1", state.members()); // in the answer to app1's publish
 * const joined = await leases.whenFree(() => join()); // a join takes the lease back first
 * ```
 */
export class LeaseGrant {
  private lease: Held | undefined;
  private ending: Promise<void> | undefined;
  /** Operations waiting for a lease to end: no new lease is granted meanwhile. */
  private waiting = 0;
  private granted = 0;
  /** The app of the last publish numbered here, and when an app other than the one before it published. */
  private lastFrom: string | undefined;
  private mixedAt = 0;
  /** Names this run of the object: a lease id from an earlier run never matches. */
  private readonly run = crypto.randomUUID().slice(0, 8);

  constructor(
    private readonly host: LeaseHost,
    private readonly size: number,
  ) {}

  /** The end of the lease out now, or 0: every ceiling stored must be at least this. */
  get to(): number {
    return this.lease?.to ?? 0;
  }

  /** The app holding a lease, if any. */
  get holder(): string | undefined {
    return this.lease?.app;
  }

  /**
   * After a publish from `from` was numbered here: a lease for it when it is the only member, none
   * is out, nothing waits for one to end, no other app published in the last LEASE_AFTER_MIX_MS,
   * and `lendable` (no other publish is queued for numbering behind this one).
   */
  offer(from: string | undefined, members: ReadonlyMap<string, number>, lendable = true, now = Date.now()): Lease | undefined {
    if (this.lastFrom !== undefined && from !== this.lastFrom) this.mixedAt = now;
    this.lastFrom = from;
    if (!lendable || from === undefined || this.lease || this.waiting > 0 || this.size <= 0) return undefined;
    if (now - this.mixedAt < LEASE_AFTER_MIX_MS) return undefined;
    if (members.size !== 1 || !members.has(from)) return undefined;
    const state = this.host.state();
    const to = Math.min(state.durableCeiling, state.seq + this.size);
    if (to - state.seq < MIN_LEASE) return undefined;
    this.lease = { app: from, id: `${this.run}:${++this.granted}`, to };
    return { id: this.lease.id, to };
  }

  /** True when `count` messages from `first` on belong to the lease out now (held by `app`). */
  accepts(app: string, id: string, first: number, count: number): boolean {
    const lease = this.lease;
    const seq = this.host.state().seq;
    return lease !== undefined && lease.app === app && lease.id === id && first === seq + 1 && seq + count <= lease.to;
  }

  /** Raises the lease's end as far as the durable ceiling allows; answers it. */
  extend(): number {
    const lease = this.lease!;
    const state = this.host.state();
    lease.to = Math.max(lease.to, Math.min(state.durableCeiling, state.seq + this.size));
    return lease.to;
  }

  /** The holder gave the lease back after appending up to `last`. */
  release(app: string, id: string, last: number): void {
    const lease = this.lease;
    if (lease?.app !== app || lease.id !== id) return;
    this.close(lease, last);
  }

  /** Runs `op` now when no lease is out, else once it has been taken back. */
  whenFree<T>(op: () => T | Promise<T>): T | Promise<T> {
    if (!this.lease) return op();
    this.waiting++;
    const run = async (): Promise<T> => {
      try {
        while (this.lease) await this.end(this.lease);
        return await op();
      } finally {
        this.waiting--;
      }
    };
    return run();
  }

  private end(lease: Held): Promise<void> {
    this.ending ??= this.host
      .revoke(lease.app, lease.id)
      .catch(() => null)
      .then((last) => {
        if (this.lease === lease) this.close(lease, last);
      })
      .finally(() => {
        this.ending = undefined;
      });
    return this.ending;
  }

  /** Ends the lease; unless everything the holder numbered is here (`last` is the seq), goes on after its end. */
  private close(lease: Held, last: number | null): void {
    this.lease = undefined;
    const state = this.host.state();
    const skipped = last !== state.seq;
    if (skipped) state.skipTo(lease.to);
    this.host.ended(lease.app, skipped);
  }
}
