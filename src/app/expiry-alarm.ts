import type { AlarmClock } from "./alarm-clock";
import type { SessionStore } from "./session-store";

/**
 * Token expiries of the object's blocks, kept in storage (a woken object must still close a block at
 * its token's `exp`), on the object's one alarm.
 *
 * @example
 * ```ts
 * await expiry.add(conn, exp);
 * // in alarm(): for (const conn of expiry.due(Date.now())) close(conn, 4001); then expiry.next()
 * ```
 */
export class ExpiryAlarm {
  constructor(
    private readonly clock: AlarmClock,
    private readonly store: SessionStore,
  ) {}

  /** Records a block's expiry and makes sure the alarm fires by then. */
  async add(conn: string, exp: number): Promise<void> {
    this.store.addExpiry(conn, exp);
    await this.clock.by(exp);
  }

  /** Forgets the expiry of a connection that never came to be. */
  remove(conn: string): void {
    this.store.removeExpiry(conn);
  }

  /** The connections whose tokens have expired by `now`; their rows are removed. */
  due(now: number): Set<string> {
    const expired = new Set(this.store.expiredConns(now));
    this.store.removeExpiries(expired);
    return expired;
  }

  /** The next expiry, if any. */
  next(): number | undefined {
    return this.store.nextExpiry();
  }
}
