import { NAME_PATTERN } from "../../src/protocol/codec";
import { ErrorCode, isNexusError, NexusError } from "./errors";
import type { AnswerFrame, RequestFrame } from "./pending-calls";

/**
 * What the will needs from the client: `declare` writes on the open socket (restoring after
 * `welcome`), `queue` sends now or once connected.
 *
 * @example
 * ```ts
 * const link: WillLink = { declare: (f) => pending.request(f, restoreOpts), queue: (f) => pending.request(f, opts) };
 * ```
 */
export interface WillLink {
  declare(frame: RequestFrame): Promise<AnswerFrame | undefined>;
  queue(frame: RequestFrame): Promise<AnswerFrame | undefined>;
}

interface Will {
  channel: string;
  data: string;
  retain: boolean;
}

/**
 * This connection's last will, held by the edge (contract "Last will"): declared with a `will` frame,
 * declared again on every reconnect (the edge forgets a connection's will when it ends), withdrawn
 * with `{"t":"will","clear":true}`.
 *
 * @example
 * ```ts
 * const will = new LastWill(link);
 * await will.set("status/dev1", "offline", true);
 * // on welcome: await will.restore(); before a clean close: await will.clear()
 * ```
 */
export class LastWill {
  private will: Will | undefined;

  constructor(private readonly link: WillLink) {}

  /** True while a will is in force (or about to be declared). */
  isSet(): boolean {
    return this.will !== undefined;
  }

  /** Declares a will, replacing the previous one; resolves on the server's ack. */
  async set(channel: string, data: string, retain: boolean): Promise<void> {
    if (!NAME_PATTERN.test(channel)) {
      throw new NexusError(ErrorCode.bad_request, `channel must match ${NAME_PATTERN.source}: ${channel}`);
    }
    const previous = this.will;
    const will = { channel, data, retain };
    this.will = will;
    try {
      await this.link.queue({ t: "will", channel, data, retain });
    } catch (err) {
      // A refused will (forbidden, too_large) leaves the previous one in force, on the edge as here.
      if (this.will === will && !(isNexusError(err, ErrorCode.disconnected) && err.retryable)) this.will = previous;
      throw err;
    }
  }

  /** Withdraws the will; resolves on the server's ack. */
  async clear(): Promise<void> {
    this.will = undefined;
    await this.link.queue({ t: "will", clear: true });
  }

  /** Declares the will again on a fresh socket. */
  async restore(): Promise<void> {
    const will = this.will;
    if (!will) return;
    try {
      await this.link.declare({ t: "will", channel: will.channel, data: will.data, retain: will.retain });
    } catch (err) {
      if (isNexusError(err, ErrorCode.disconnected) && err.retryable) return;
      throw err;
    }
  }
}
