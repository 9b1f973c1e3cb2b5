import { TokenBucket } from "./rate-limit";

/** Sustained frames per second and burst, for all blocks of one user together and for the whole app. */
export interface GateLimits {
  userRatePerSec: number;
  userRateBurst: number;
  appRatePerSec: number;
  appRateBurst: number;
}

/** Why a frame was let through or not: `abuse` closes the connection (4008), `user`/`app` name the bucket that refused. */
export type Admission = "ok" | "limited" | "user" | "app" | "abuse";

/**
 * The rate limits an app object applies to every frame before it is parsed: the connection's own
 * token bucket, then one per user (all of a uid's blocks here together), then one for the app. Only
 * refusals of the connection's own bucket count towards closing it for abuse: a block that keeps
 * within its own limit is never closed because its user or app is busy.
 *
 * @example
 * ```ts
 * const gate = new FrameGate({ userRatePerSec: 2000, userRateBurst: 4000, appRatePerSec: 5000, appRateBurst: 10000 });
 * if (gate.admit(session.bucket, session.identity.uid, Date.now()) !== "ok") refuse();
 * ```
 */
export class FrameGate {
  private readonly users = new Map<string, TokenBucket>();
  private readonly app: TokenBucket;

  constructor(
    private readonly limits: GateLimits,
    now = Date.now(),
  ) {
    this.app = bucket(limits.appRatePerSec, limits.appRateBurst, now);
  }

  admit(own: TokenBucket | undefined, uid: string, now: number): Admission {
    const verdict = own?.take(now) ?? "ok";
    if (verdict !== "ok") return verdict;
    let user = this.users.get(uid);
    if (!user) {
      user = bucket(this.limits.userRatePerSec, this.limits.userRateBurst, now);
      this.users.set(uid, user);
    }
    if (user.take(now) !== "ok") return "user";
    if (this.app.take(now) !== "ok") return "app";
    return "ok";
  }

  /** A user's last block here left: its bucket goes (a returning user starts with a full one). */
  forgetUser(uid: string): void {
    this.users.delete(uid);
  }

  /** Users with a bucket (for the stats route: it follows the users online). */
  get userCount(): number {
    return this.users.size;
  }
}

function bucket(ratePerSec: number, burst: number, now: number): TokenBucket {
  return new TokenBucket({ ratePerSec, burst, abuseLimit: Number.POSITIVE_INFINITY, abuseWindowMs: 10_000 }, now);
}
