import type { Refusal } from "../do-contracts";
import { ErrorCode } from "../protocol/codes";

/** How fast one user, and one app, may make the edge touch channel objects it was not on. */
export interface ObjectStartLimits {
  newChannelsPerSec: number;
  newChannelsBurst: number;
  appNewChannelsPerSec: number;
  appNewChannelsBurst: number;
  /** A touch that would wait longer than this for its turn is refused with `rate_limited`. */
  newChannelMaxWaitMs: number;
}

/** A token bucket whose tokens may be taken ahead: a negative balance is the queue of waiting turns. */
class Pacer {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** How long, in ms, the next turn would wait from `now` (0: at once). */
  wait(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSec) * 1000;
  }

  take(): void {
    this.tokens -= 1;
  }

  /** Full again: nothing waits and the burst is back. */
  idle(now: number): boolean {
    return this.wait(now) === 0 && this.tokens >= this.burst;
  }
}

/**
 * Paces the first touches of channel objects: a `sub` on a channel none of the app's blocks is on
 * makes the edge start (or wake) that channel's object, about 250 KiB of runtime memory and some
 * milliseconds of CPU each, which a client naming thousands of channels at once would take from
 * every other app sharing the runtime. Each user, and the app as a whole, has a token bucket of
 * such touches; a touch past the burst waits its turn (the ack comes later), and one that would
 * wait longer than `newChannelMaxWaitMs` is refused with `rate_limited`. Joining a channel the app
 * is already on costs nothing and is never paced.
 *
 * @example
 * ```ts
 * const starts = new ObjectStarts(config);
 * const r = await starts.admit("u1", Date.now());
 * if (r) refuse(r); else await join();
 * ```
 */
export class ObjectStarts {
  private readonly users = new Map<string, Pacer>();
  private readonly app: Pacer;
  private waitingNow = 0;

  /** `action` names what is paced in the refusal ("join new channels", "publish to new channels"). */
  constructor(
    private readonly limits: ObjectStartLimits,
    now = Date.now(),
    private readonly action = "join new channels",
  ) {
    this.app = new Pacer(limits.appNewChannelsPerSec, limits.appNewChannelsBurst, now);
  }

  /** Resolves when the touch may go ahead (undefined), or with the refusal. */
  async admit(uid: string, now: number): Promise<Refusal | undefined> {
    const { newChannelsPerSec, newChannelsBurst, newChannelMaxWaitMs } = this.limits;
    let user = this.users.get(uid);
    if (!user) {
      user = new Pacer(newChannelsPerSec, newChannelsBurst, now);
      this.users.set(uid, user);
    }
    const userWait = user.wait(now);
    const appWait = this.app.wait(now);
    const wait = Math.max(userWait, appWait);
    if (wait > newChannelMaxWaitMs) {
      const who = userWait >= appWait ? "this user's blocks" : "this app's blocks";
      return {
        code: ErrorCode.rate_limited,
        message: `${who} ${this.action} faster than ${userWait >= appWait ? newChannelsPerSec : this.limits.appNewChannelsPerSec}/s; slow down`,
      };
    }
    user.take();
    this.app.take();
    if (wait > 0) {
      this.waitingNow++;
      await new Promise((resolve) => setTimeout(resolve, wait));
      this.waitingNow--;
    }
    this.sweep(Date.now());
    return undefined;
  }

  /** Touches waiting for their turn, and users with a bucket that is not full (for the stats route). */
  get sizes(): { waiting: number; users: number } {
    return { waiting: this.waitingNow, users: this.users.size };
  }

  /** A full bucket is the same as none: drop them, so the map follows only the users touching now. */
  private sweep(now: number): void {
    if (this.users.size < 64) return;
    for (const [uid, pacer] of this.users) if (pacer.idle(now)) this.users.delete(uid);
  }
}
