import type { AppObject } from "./app-object";
import { send } from "./send";
import type { Session } from "./session";

/**
 * The app object's side of the two-level fan-out: it joins a channel object when it gains its
 * first local subscriber and leaves when it loses its last, and delivers each channel message once
 * to every local subscriber.
 *
 * Joins in flight are counted so that a last `unsub` racing a new `sub` never sends a `leave`
 * after the `join` (both travel on the same stub, so the channel object sees them in order).
 *
 * @example
 * ```ts
 * const retained = await channels.subscribe(session, "prices"); // then ack, then retained
 * ```
 */
export class AppChannels {
  private readonly joining = new Map<string, number>();

  constructor(private readonly app: AppObject) {}

  /** Subscribes a block; resolves with the channel's retained frame, if any, to send after the ack. */
  async subscribe(session: Session, channel: string): Promise<{ retained: string | null } | "gone"> {
    this.joining.set(channel, (this.joining.get(channel) ?? 0) + 1);
    let retained: string | null;
    try {
      ({ retained } = await this.app.stubs.channel(channel).join(channel, this.app.appName ?? ""));
    } catch (err) {
      this.app.stubs.forget("channel", channel);
      throw err;
    } finally {
      const n = (this.joining.get(channel) ?? 1) - 1;
      if (n === 0) this.joining.delete(channel);
      else this.joining.set(channel, n);
    }
    const index = this.app.ensureIndex();
    if (!index.byConn.has(session.conn)) {
      this.leaveIfUnused(channel);
      return "gone";
    }
    index.subscribe(session, channel);
    this.app.store.addSub(session.conn, channel);
    return { retained };
  }

  unsubscribe(session: Session, channel: string): void {
    if (!session.channels.has(channel)) return;
    this.app.ensureIndex().unsubscribe(session, channel);
    this.app.store.removeSub(session.conn, channel);
    this.leaveIfUnused(channel);
  }

  /** On disconnect: leaves every channel this block was the last local subscriber of. */
  leaveAll(session: Session): void {
    for (const channel of session.channels) this.leaveIfUnused(channel);
  }

  /** Sends a channel frame to the local subscribers; 0 tells the channel object to drop this app. */
  deliverLocal(channel: string, text: string): number {
    const subscribers = this.app.ensureIndex().channels.get(channel);
    if (!subscribers) return this.joining.has(channel) ? 1 : 0;
    for (const s of subscribers) send(s.ws, text);
    return subscribers.size;
  }

  private leaveIfUnused(channel: string): void {
    if (this.app.ensureIndex().channels.has(channel) || this.joining.has(channel)) return;
    const app = this.app.appName ?? "";
    this.app.background(
      this.app.stubs
        .channel(channel)
        .leave(channel, app)
        .catch(() => this.app.stubs.forget("channel", channel)),
    );
  }
}
