/**
 * When a channel object may free its storage: once it has had no member app and no retained value
 * (and so, as history keeps nothing older than its TTL, nothing a subscriber could recover) for
 * `idleMs` since its last join, leave or publish. Its `seq` then starts again from 0 under a new
 * `epoch` (docs/protocol.md, "Idle channels").
 *
 * @example
 * ```ts
 * const idle = new IdleRelease(600_000, Date.now());
 * idle.touch(Date.now());
 * idle.decide(Date.now(), { members: 0, retained: false }); // { wakeAt } until 10 minutes have passed, then "release"
 * ```
 */
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
  decide(now: number, held: { members: number; retained: boolean }): "release" | "in use" | { wakeAt: number } {
    if (held.members > 0 || held.retained) return "in use";
    const at = this.last + this.idleMs;
    return now >= at ? "release" : { wakeAt: at };
  }
}
