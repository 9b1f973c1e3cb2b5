import type { AlarmClock } from "./alarm-clock";
import { attachmentOf, type Session } from "./session";

/** Intervals of silence after which a worker is dropped (as NATS's max outstanding pings). */
export const MISSED_INTERVALS = 3;

/**
 * The workers' keepalive: a worker from which nothing has arrived, frame or ping, for three
 * `pingIntervalMs` is closed with 4002. Pings are answered by the runtime without waking the object
 * (which records when: `getWebSocketAutoResponseTimestamp`), other frames are seen by the object;
 * the later of the two is when the worker was last heard. The check runs on the object's one alarm,
 * set for the nearest worker's deadline.
 *
 * The last frame's time lives in memory and is saved in the socket's attachment at most every half
 * interval, so after a wake it is known to within half an interval; the deadline then counts from
 * the later end of that half interval, so a worker is never closed before three full intervals.
 * Frontends are not held to it.
 *
 * @example
 * ```ts
 * keepalive.heard(session, now); // on every frame
 * // in alarm(): const { silent, next } = keepalive.sweep(workers, now);
 * ```
 */
export class WorkerKeepalive {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly clock: AlarmClock,
    private readonly intervalMs: number,
  ) {}

  /** When a session rebuilt from its attachment was last heard, at the latest. */
  heardAfterWake(att: { since: number; heard?: number }, now: number): number {
    return Math.min(now, (att.heard ?? att.since) + this.intervalMs / 2);
  }

  /** A frame from a worker arrived. */
  heard(s: Session, now: number): void {
    s.heardAt = now;
    if (now - (s.heard ?? s.since) < this.intervalMs / 2) return;
    s.heard = now;
    s.ws.serializeAttachment(attachmentOf(s));
  }

  /** A worker joined: the alarm must come by its first deadline. */
  watch(s: Session): Promise<void> {
    return this.clock.by(this.deadline(s));
  }

  /** The workers that have been silent too long, and the nearest deadline of the others. */
  sweep(workers: Iterable<Session>, now: number): { silent: Session[]; next: number | undefined } {
    const silent: Session[] = [];
    let next: number | undefined;
    for (const s of workers) {
      const deadline = this.deadline(s);
      if (deadline <= now) silent.push(s);
      else if (next === undefined || deadline < next) next = deadline;
    }
    return { silent, next };
  }

  private deadline(s: Session): number {
    const pinged = this.ctx.getWebSocketAutoResponseTimestamp(s.ws as WebSocket)?.getTime() ?? 0;
    return Math.max(s.heardAt, pinged) + MISSED_INTERVALS * this.intervalMs;
  }
}
