import type { Delivery } from "../do-contracts";

/** How long a message may wait for an earlier one that never comes (a failed call) before the wait ends (ms). */
export const ORDER_WAIT_MS = 1000;

interface Chain {
  /** The seq of the last message passed on, once known. */
  last: number | undefined;
  /** Messages waiting for an earlier one, by the seq they follow. */
  waiting: Map<number, Delivery>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Puts an app object's channel messages back in `seq` order when they come by two ways: the app's
 * own messages in the channel object's answer to its publish (delivered from there, with no second
 * hop), and everyone else's in the channel object's delivery calls. The two can cross on the way,
 * so each message carries `prev`, the seq of the message the channel object routed to this app
 * before it: a message passes on once its `prev` has (or when it has none: the first one the
 * channel object's current run routes here). While the app's join is in flight the chain starts at
 * the join's seq, so messages wait for the join's answer. A message whose `prev` has not come
 * within ORDER_WAIT_MS (its call failed: at most once) stops waiting, and the chain goes on from it.
 *
 * @example
 * ```ts
 * const order = new ChannelOrder((channel, d) => send(channel, d.text, d.seq));
 * order.deliver("prices", { seq: 8, prev: 7, text }); // waits for 7
 * order.deliver("prices", { seq: 7, prev: 6, text }); // passes 7, then 8
 * ```
 */
export class ChannelOrder {
  private readonly chains = new Map<string, Chain>();

  constructor(
    private readonly pass: (channel: string, delivery: Delivery) => number,
    private readonly waitMs = ORDER_WAIT_MS,
  ) {}

  /** Channels with a chain: those with local subscribers or a join in flight (for the admin state route). */
  get size(): number {
    return this.chains.size;
  }

  /**
   * Takes one message; answers what `pass` answered for it (the local subscribers), or 1 while it
   * waits (so that the channel object keeps this app as a member).
   */
  deliver(channel: string, d: Delivery, joining: boolean): number {
    const chain = this.chains.get(channel);
    if (chain?.last !== undefined && d.seq <= chain.last) return 1; // already passed (a crossed duplicate)
    if (d.prev === undefined || (chain?.last === undefined && !joining) || d.prev === chain?.last) {
      const passed = this.pass(channel, d);
      // No chain and no local subscriber (a delivery after the app left): nothing to keep in order.
      if (chain || passed > 0) this.advance(channel, chain ?? this.start(channel), d.seq);
      return passed;
    }
    const held = chain ?? this.start(channel);
    held.waiting.set(d.prev, d);
    held.timer ??= setTimeout(() => this.giveUp(channel), this.waitMs);
    return 1;
  }

  /** The app's join answered `seq`: a new chain starts there (an existing one goes on). */
  joined(channel: string, seq: number): void {
    const chain = this.chains.get(channel) ?? this.start(channel);
    if (chain.last !== undefined) return;
    chain.last = seq;
    for (const prev of [...chain.waiting.keys()]) if (prev < seq) chain.waiting.delete(prev);
    this.drain(channel, chain);
  }

  /** The app left the channel: what follows starts a new chain. */
  left(channel: string): void {
    const chain = this.chains.get(channel);
    if (chain?.timer !== undefined) clearTimeout(chain.timer);
    this.chains.delete(channel);
  }

  private start(channel: string): Chain {
    const chain: Chain = { last: undefined, waiting: new Map(), timer: undefined };
    this.chains.set(channel, chain);
    return chain;
  }

  private advance(channel: string, chain: Chain, seq: number): void {
    chain.last = seq;
    this.drain(channel, chain);
  }

  /** Passes every waiting message whose turn has come. */
  private drain(channel: string, chain: Chain): void {
    for (let next = chain.waiting.get(chain.last!); next; next = chain.waiting.get(chain.last!)) {
      chain.waiting.delete(chain.last!);
      this.pass(channel, next);
      chain.last = next.seq;
    }
    if (chain.waiting.size === 0 && chain.timer !== undefined) {
      clearTimeout(chain.timer);
      chain.timer = undefined;
    }
  }

  /** An earlier message never came: pass what waits, in seq order, and go on from there. */
  private giveUp(channel: string): void {
    const chain = this.chains.get(channel);
    if (!chain) return;
    chain.timer = undefined;
    const waiting = [...chain.waiting.values()].sort((a, b) => a.seq - b.seq);
    chain.waiting.clear();
    for (const d of waiting) {
      if (chain.last !== undefined && d.seq <= chain.last) continue;
      this.pass(channel, d);
      chain.last = d.seq;
    }
  }
}
