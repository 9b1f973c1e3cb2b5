/**
 * How a subscription came back after a reconnect, as its `resubscribed` event reports it (as
 * centrifuge's `subscribed` event with `recovered`; the Python and Go SDKs report the same: Python's
 * `Resubscribed(channel, recovered, epoch, seq)` with `None` for absent, Go's `Resubscribed` with
 * `Epoch` empty and `HasSeq` false when absent).
 *
 * @example
 * ```ts
 * sub.on("resubscribed", (e) => console.log(e.recovered, e.epoch, e.seq));
 * ```
 */
export interface ResubscribedEvent {
  channel: string;
  /**
   * True when the edge replayed, from the channel's history, every message missed while away; false
   * when it could not, or when the client had no epoch to ask with (an edge without history).
   */
  recovered: boolean;
  /** The channel's epoch and its seq at the moment the subscription took effect (absent from an edge without history). */
  epoch: string | undefined;
  seq: number | undefined;
}

/**
 * Messages this subscription did not get: after a resubscribe that the edge could not recover
 * (`not_recovered`: history no longer holds them, or the channel started a new epoch), or a live
 * message whose `seq` skipped some (`seq_jump`).
 *
 * @example
 * ```ts
 * sub.on("gap", (g) => console.warn(`missed messages after #${g.afterSeq} on ${g.channel} (${g.reason})`));
 * ```
 */
export interface GapEvent {
  channel: string;
  reason: "not_recovered" | "seq_jump";
  /** The last seq this client had before the gap (undefined when it had none). */
  afterSeq: number | undefined;
  /** The first seq after the gap, when known (a `seq_jump`; the ack's seq + 1 after `not_recovered`). */
  nextSeq: number | undefined;
  /** True when the channel's sequence started again (a new epoch): seqs before and after do not compare. */
  epochChanged: boolean;
}

/** A `sub` ack's fields. */
export interface SubAck {
  seq?: number;
  epoch?: string;
  recovered?: boolean;
}

/**
 * Where one channel's subscription stands in the channel's sequence: the epoch the edge told, the
 * last seq delivered under it (what is at or below is a duplicate), and where a resubscribe resumes.
 * Pure: `ChannelSubscriptions` feeds it acks and messages and passes on what it decides.
 *
 * @example
 * ```ts
 * const pos = new ChannelPosition("prices");
 * pos.acked({ seq: 41, epoch: "k3x9" }); // the first subscribe
 * pos.accept(42, false); // { deliver: true }
 * pos.resumeFields(); // { since: 42, epoch: "k3x9" }, for the sub after a reconnect
 * ```
 */
export class ChannelPosition {
  private epoch: string | undefined;
  /** The highest seq delivered under `epoch`. */
  private delivered: number | undefined;
  /** Where the next resubscribe resumes: the last seq delivered, or the ack's seq when nothing later came. */
  private resume: number | undefined;
  private subscribedBefore = false;

  constructor(readonly channel: string) {}

  /** The `since`/`epoch` of the next `sub`: none until the edge has told an epoch. */
  resumeFields(): { since?: number; epoch?: string } {
    return this.epoch !== undefined && this.resume !== undefined ? { since: this.resume, epoch: this.epoch } : {};
  }

  /** The last seq delivered and its epoch. */
  get position(): { epoch: string | undefined; seq: number | undefined } {
    return { epoch: this.epoch, seq: this.delivered };
  }

  /** Takes a `sub` ack; after a reconnect, says what to report (and a gap, when it could not recover). */
  acked(ack: SubAck): { resubscribed?: ResubscribedEvent; gap?: GapEvent } {
    const resubscribed = this.subscribedBefore;
    this.subscribedBefore = true;
    const before = this.resume;
    // Without an epoch (an edge without history), a seq that went back also means the sequence started again.
    const wentBack = ack.seq !== undefined && this.delivered !== undefined && ack.seq < this.delivered;
    const sameRun = ack.epoch === this.epoch && !wentBack;
    const epochChanged = resubscribed && !sameRun;
    if (!sameRun) {
      this.epoch = ack.epoch;
      this.delivered = undefined;
      this.resume = undefined;
    }
    const recovered = ack.recovered === true;
    // Unless recovered messages follow, live ones start after the ack's seq.
    if (!recovered && ack.seq !== undefined) this.resume = Math.max(this.resume ?? ack.seq, ack.seq);
    if (!resubscribed) return {};
    const report: ResubscribedEvent = { channel: this.channel, recovered, epoch: ack.epoch, seq: ack.seq };
    if (recovered) return { resubscribed: report };
    const next = ack.seq === undefined ? undefined : ack.seq + 1;
    return {
      resubscribed: report,
      gap: { channel: this.channel, reason: "not_recovered", afterSeq: before, nextSeq: next, epochChanged },
    };
  }

  /** Takes a message: whether to deliver it (not a duplicate), and a gap when its seq skipped some. */
  accept(seq: number, retained: boolean): { deliver: boolean; gap?: GapEvent } {
    if (this.delivered !== undefined && seq <= this.delivered) return { deliver: false };
    this.delivered = seq;
    // The retained value is older than the subscription's start: it neither moves nor breaks the run.
    if (retained) return { deliver: true };
    const after = this.resume;
    this.resume = Math.max(after ?? seq, seq);
    if (after === undefined || seq <= after + 1) return { deliver: true };
    return {
      deliver: true,
      gap: { channel: this.channel, reason: "seq_jump", afterSeq: after, nextSeq: seq, epochChanged: false },
    };
  }
}
