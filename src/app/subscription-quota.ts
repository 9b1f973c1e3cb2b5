import type { Refusal } from "../do-contracts";
import { ErrorCode, Quota } from "../protocol/codes";

/** The three bounds on subscriptions (docs/security.md): per block, per user in an app, per app. */
export interface SubscriptionLimits {
  maxSubscriptions: number;
  maxSubscriptionsPerUser: number;
  maxChannelsPerApp: number;
}

/** What is already held when a block asks to join a channel it is not subscribed to. */
export interface Held {
  /** The block's subscriptions. */
  block: number;
  /** The subscriptions of the user's blocks in this app together. */
  user: number;
  /** Distinct channels this app's blocks are subscribed to, or joining. */
  appChannels: number;
  /** Whether the channel is not yet among them. */
  newChannel: boolean;
}

/**
 * Decides whether one more subscription fits, counting the joins still in flight, so that a
 * client pipelining a thousand `sub` frames cannot pass the bound while the channel objects answer.
 *
 * @example
 * ```ts
 * const quota = new SubscriptionQuota({ maxSubscriptions: 1000, maxSubscriptionsPerUser: 2000, maxChannelsPerApp: 1000 });
 * const r = quota.reserve("c1", "u1", { block: s.channels.size, user: 12, appChannels: 40, newChannel: true });
 * if (typeof r === "function") { await join(); r(); } else refuse(r);
 * ```
 */
export class SubscriptionQuota {
  private readonly joiningByConn = new Map<string, number>();
  private readonly joiningByUid = new Map<string, number>();

  constructor(private readonly limits: SubscriptionLimits) {}

  /** A place for one join in flight (call the answer to release it once the join settled), or the refusal. */
  reserve(conn: string, uid: string, held: Held): Refusal | (() => void) {
    const { maxSubscriptions, maxSubscriptionsPerUser, maxChannelsPerApp } = this.limits;
    const block = held.block + (this.joiningByConn.get(conn) ?? 0);
    if (block >= maxSubscriptions) {
      return refuse(Quota.maxSubscriptions, maxSubscriptions, `this block already has ${block} subscriptions`);
    }
    const user = held.user + (this.joiningByUid.get(uid) ?? 0);
    if (user >= maxSubscriptionsPerUser) {
      return refuse(
        Quota.maxSubscriptionsPerUser,
        maxSubscriptionsPerUser,
        `this user's blocks already have ${user} subscriptions`,
      );
    }
    if (held.newChannel && held.appChannels >= maxChannelsPerApp) {
      return refuse(Quota.maxChannelsPerApp, maxChannelsPerApp, `this app's blocks are already on ${held.appChannels} channels`);
    }
    bump(this.joiningByConn, conn, 1);
    bump(this.joiningByUid, uid, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.joiningByConn, conn, -1);
      bump(this.joiningByUid, uid, -1);
    };
  }

  /** Joins in flight (for the stats and the churn test: 0 when nothing is joining). */
  get joining(): number {
    let n = 0;
    for (const v of this.joiningByConn.values()) n += v;
    return n;
  }
}

function refuse(quota: Quota, limit: number, what: string): Refusal {
  return { code: ErrorCode.quota_exceeded, quota, message: `${what} (${quota} is ${limit})` };
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
