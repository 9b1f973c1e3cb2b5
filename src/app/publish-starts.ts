import type { Refusal } from "../do-contracts";
import { ObjectStarts } from "./object-starts";

/** How fast one user, and one app, may publish to channels the app object has not touched recently. */
export interface PublishStartLimits {
  newPubChannelsPerSec: number;
  newPubChannelsBurst: number;
  appNewPubChannelsPerSec: number;
  appNewPubChannelsBurst: number;
  /** A first publish that would wait longer than this for its turn is refused with `rate_limited`. */
  newChannelMaxWaitMs: number;
  /** Channel names the app object remembers as recently published to (the last 1x to 2x this many). */
  pubRecentChannels: number;
}

/** A channel touched recently (`true`), or the turn its first publish waits for. */
type Touch = true | Promise<Refusal | undefined>;

/**
 * Paces the first publishes to channels: a `pub` to a channel makes the edge start (or wake) that
 * channel's object even when nobody is subscribed, about 250 KiB of runtime memory and 3-4 ms of
 * CPU, so a client publishing to thousands of fresh names would take the runtime from every other
 * app, exactly as thousands of `sub`s would. The app object remembers the channel names it
 * published to recently (two generations of `pubRecentChannels / 2` names: a bounded LRU that costs
 * one Map lookup per publish); a publish to one of them, or to a channel the app is joined to, goes
 * at once. Any other waits its turn in a per-user and a per-app token bucket, or is refused with
 * `rate_limited` when the turn is more than `newChannelMaxWaitMs` away. Publishes to a channel
 * whose first publish waits its turn wait behind it, so one publisher's order on a channel holds.
 *
 * @example
 * ```ts
 * const starts = new PublishStarts(config, (channel) => index.channels.has(channel));
 * const turn = starts.admit("u1", "devices/42");
 * const refused = turn && (await turn); // undefined at once for a channel touched recently
 * ```
 */
export class PublishStarts {
  private current = new Map<string, Touch>();
  private previous = new Map<string, Touch>();
  private readonly pacer: ObjectStarts;
  private readonly generation: number;

  constructor(
    limits: PublishStartLimits,
    private readonly joined: (channel: string) => boolean,
    now = Date.now(),
  ) {
    this.generation = Math.max(1, Math.ceil(limits.pubRecentChannels / 2));
    const pacing = {
      newChannelsPerSec: limits.newPubChannelsPerSec,
      newChannelsBurst: limits.newPubChannelsBurst,
      appNewChannelsPerSec: limits.appNewPubChannelsPerSec,
      appNewChannelsBurst: limits.appNewPubChannelsBurst,
      newChannelMaxWaitMs: limits.newChannelMaxWaitMs,
    };
    this.pacer = new ObjectStarts(pacing, now, "publish to new channels");
  }

  /** undefined: publish at once. Otherwise the turn to wait for, resolving with a refusal or undefined. */
  admit(uid: string, channel: string, now: () => number = Date.now): Promise<Refusal | undefined> | undefined {
    const touch = this.current.get(channel);
    if (touch === true) return undefined;
    if (touch !== undefined) return touch;
    const earlier = this.previous.get(channel);
    if (earlier !== undefined) {
      this.remember(channel, earlier);
      return earlier === true ? undefined : earlier;
    }
    if (this.joined(channel)) {
      this.remember(channel, true);
      return undefined;
    }
    const turn: Promise<Refusal | undefined> = this.pacer.admit(uid, now()).then((refused) => {
      if (refused) this.forget(channel, turn);
      else if (this.current.get(channel) === turn || this.previous.get(channel) === turn) this.remember(channel, true);
      return refused;
    });
    this.remember(channel, turn);
    return turn;
  }

  /** Channel names remembered, and first publishes waiting for their turn (for the stats route). */
  get sizes(): { recent: number; waiting: number } {
    return { recent: this.current.size + this.previous.size, waiting: this.pacer.sizes.waiting };
  }

  private remember(channel: string, touch: Touch): void {
    if (!this.current.has(channel) && this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(channel, touch);
    if (touch === true) this.previous.delete(channel);
  }

  private forget(channel: string, turn: Touch): void {
    if (this.current.get(channel) === turn) this.current.delete(channel);
    if (this.previous.get(channel) === turn) this.previous.delete(channel);
  }
}
