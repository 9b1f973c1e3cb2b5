/**
 * When a channel object may free its storage: once it has had no member app, no retained value and
 * no history a subscriber could still recover (nothing younger than the history's TTL), and `idleMs`
 * have passed since its last join, leave or publish. Its `seq` then starts again from 0 under a new
 * `epoch` (docs/protocol.md, "Idle channels").
 *
 * @example
 * ```ts
 * const idle = new IdleRelease(600_000, Date.now());
 * idle.touch(Date.now());
 * idle.decide(Date.now(), { members: 0, retained: false }); // { wakeAt } until 10 minutes have passed, then "release"
 * idle.decide(Date.now(), { members: 0, retained: false, historyUntil: Date.now() + 60_000 }); // not before that
 * ```
 */
/** What a channel still holds: member apps, a retained value, and until when its history is recoverable. */
export interface IdleHeld {
  members: number;
  retained: boolean;
  historyUntil?: number;
}

export class IdleRelease {
  private last: number;

  constructor(
    private readonly idleMs: number,
    now: number,
  ) {
    // A woken object does not know how long it slept: it waits a whole period again.
    this.last = now;
  }

  /** Something happened on the channel. */
  touch(now: number): void {
    this.last = now;
  }

  /** What to do now: free the storage, look again at `wakeAt`, or nothing (it is in use). */
  decide(now: number, held: IdleHeld): "release" | "in use" | { wakeAt: number } {
    if (held.members > 0 || held.retained) return "in use";
    // A subscriber that comes back within the history's TTL must find its messages (and its epoch).
    const at = Math.max(this.last + this.idleMs, held.historyUntil ?? 0);
    return now >= at ? "release" : { wakeAt: at };
  }
}
