import type { SessionStore } from "./session-store";

/**
 * The object's one alarm, set for the nearest token expiry of its blocks. The alarm time is read
 * from storage once per instance and then kept, so a connect rarely waits on it.
 *
 * @example
 * ```ts
 * await expiry.schedule(attachment.exp);
 * // in alarm(): for (const conn of expiry.due(Date.now())) close(conn, 4001); await expiry.rearm();
 * ```
 */
export class ExpiryAlarm {
  /** The scheduled alarm, once read: undefined until then, null when none is set. */
  private alarmAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: SessionStore,
  ) {}

  /** Records a block's expiry and makes sure the alarm fires by then. */
  async add(conn: string, exp: number): Promise<void> {
    this.store.addExpiry(conn, exp);
    this.alarmAt ??= await this.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= exp) return;
    this.alarmAt = exp;
    await this.storage.setAlarm(exp);
  }

  /** The connections whose tokens have expired by `now`; their rows are removed. */
  due(now: number): Set<string> {
    const expired = new Set(this.store.expiredConns(now));
    this.store.removeExpiries(expired);
    return expired;
  }

  /** Sets the alarm for the next expiry, if any. */
  async rearm(): Promise<void> {
    const next = this.store.nextExpiry();
    this.alarmAt = next ?? null;
    if (next !== undefined) await this.storage.setAlarm(next);
  }
}
