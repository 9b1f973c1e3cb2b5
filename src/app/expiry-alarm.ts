import type { AlarmClock } from "./alarm-clock";

/** What the expiry needs of a block: its connection id and its token's `exp`, in ms. */
export interface Expiring {
  conn: string;
  exp: number;
}

/**
 * Token expiries of the object's blocks, on the object's one alarm. Each block's `exp` is in its
 * socket's attachment, which survives hibernation with the socket, so a woken object still closes
 * a block at its token's `exp` without a storage row per connect (a connect writes nothing here
 * unless its `exp` is the nearest deadline, which moves the alarm). A connect in progress counts
 * from `add` until it is indexed, so an alarm in between still sees its deadline.
 *
 * @example
 * ```ts
 * const expiry = new ExpiryAlarm(clock, () => blocks.index.byConn.values());
 * await expiry.add(conn, exp);
 * // in alarm(): for (const conn of expiry.due(Date.now())) close(conn, 4001); then expiry.next()
 * ```
 */
export class ExpiryAlarm {
  private readonly connecting = new Map<string, number>();

  constructor(
    private readonly clock: Pick<AlarmClock, "by">,
    private readonly blocks: () => Iterable<Expiring>,
  ) {}

  /** Makes sure the alarm fires by a connecting block's expiry. */
  async add(conn: string, exp: number): Promise<void> {
    this.connecting.set(conn, exp);
    try {
      await this.clock.by(exp);
    } finally {
      this.connecting.delete(conn);
    }
  }

  /** The connections whose tokens have expired by `now`. */
  due(now: number): Set<string> {
    const expired = new Set<string>();
    for (const b of this.blocks()) if (b.exp <= now) expired.add(b.conn);
    for (const [conn, exp] of this.connecting) if (exp <= now) expired.add(conn);
    return expired;
  }

  /** The nearest expiry after `now`, if any. */
  next(now: number): number | undefined {
    let nearest: number | undefined;
    const consider = (exp: number) => {
      if (exp > now && (nearest === undefined || exp < nearest)) nearest = exp;
    };
    for (const b of this.blocks()) consider(b.exp);
    for (const exp of this.connecting.values()) consider(exp);
    return nearest;
  }
}
