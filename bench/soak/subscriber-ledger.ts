import { SequenceTally } from "./sequence-tally";

/** What one subscriber of the channel canary got of the publisher's numbered messages. */
export interface SubscriberCounts {
  kind: string;
  got: number;
  /** Acked messages that never arrived while it stayed subscribed, or that a recovered resubscribe did not replay: the edge lost them. */
  lost: number;
  /** Acked messages that did not arrive because its socket dropped and the resubscribe did not recover them (and said so). */
  missedWhileAway: number;
  duplicated: number;
  outOfOrder: number;
  /** Jumps in the channel's `seq` while it stayed subscribed (only the canary publishes on its channel). */
  seqGaps: number;
  reconnects: number;
  /** Resubscribes after a reconnect that the edge answered `recovered:true`. */
  recovered: number;
}

/**
 * One canary subscriber's account of a numbered stream (0, 1, 2, ... from one publisher), exact
 * across its own reconnects: a drop followed by a resubscribe that was not recovered excuses the
 * numbers from the last one it had before the drop up to the last one issued when the resubscribe
 * took effect (any of those may have been published while it was away); everything else that was
 * acked must arrive, once, in order. A recovered resubscribe excuses nothing.
 *
 * @example
 * ```ts
 * const ledger = new SubscriberLedger("webuo");
 * ledger.message(0, 1);
 * ledger.dropped();
 * ledger.resubscribed(false, 5); // 1..4 may have been missed while away
 * ledger.message(5, 6);
 * ledger.counts([0, 1, 2, 3, 4, 5]); // { got: 2, lost: 0, missedWhileAway: 4, ... }
 * ```
 */
export class SubscriberLedger {
  private readonly tally = new SequenceTally();
  /** Numbers (from, to] that a drop without recovery excuses. */
  private readonly away: [number, number][] = [];
  private lastSeq: number | undefined;
  private lastBeforeDrop = -1;
  private isAway = false;
  private seqGaps = 0;
  private reconnects = 0;
  private recoveries = 0;

  constructor(readonly kind: string) {}

  /** A message with the publisher's number `n` and the channel's `seq`. */
  message(n: number, seq: number): void {
    if (!this.isAway && this.lastSeq !== undefined && seq > this.lastSeq + 1) this.seqGaps += seq - this.lastSeq - 1;
    this.lastSeq = seq;
    this.tally.receive(n);
  }

  /** The subscriber's connection dropped. */
  dropped(): void {
    if (this.isAway) return;
    this.isAway = true;
    this.lastBeforeDrop = this.tally.max;
  }

  /**
   * The subscription took effect again after a reconnect; `issued` numbers had been handed to the
   * publisher by then. `recovered`: what the edge answered (undefined when it does not say: not recovered).
   */
  resubscribed(recovered: boolean | undefined, issued: number): void {
    if (!this.isAway) return;
    this.isAway = false;
    this.reconnects++;
    if (recovered === true) {
      this.recoveries++;
      return;
    }
    this.away.push([this.lastBeforeDrop, issued - 1]);
    this.lastSeq = undefined;
  }

  /** True once every acked number arrived or is excused. */
  complete(acked: readonly number[]): boolean {
    return acked.every((n) => this.tally.has(n) || this.excused(n));
  }

  counts(acked: readonly number[]): SubscriberCounts {
    const missing = this.tally.missing(acked);
    const away = missing.filter((n) => this.excused(n)).length;
    return {
      kind: this.kind,
      ...this.tally.counts(),
      lost: missing.length - away,
      missedWhileAway: away,
      seqGaps: this.seqGaps,
      reconnects: this.reconnects,
      recovered: this.recoveries,
    };
  }

  private excused(n: number): boolean {
    return this.away.some(([from, to]) => n > from && n <= to);
  }
}
