import type { ChannelHistory } from "./channel-history";
import type { ChannelState } from "./channel-state";

/** How long a message whose publisher waits for its acknowledgement waits in memory before a flush stores it (ms). */
export const FLUSH_MS = 5;
/** How long other numbered messages wait before a flush stores them (ms): a commit costs as much CPU as dozens of messages. */
export const LAZY_FLUSH_MS = 50;
/** Seqs a flush reserves past the channel's seq: numbering runs ahead of storage by at most this many. */
export const RESERVE = 4096;

/** What a flush writes and how it waits for the write to be durable. */
export interface FlushHost {
  state(): ChannelState;
  history(): ChannelHistory;
  /** Resolves once every write so far is durable (`ctx.storage.sync()`). */
  sync(): Promise<void>;
  /** The end of the numbering lease out now (0: none): a seq its holder may hand out, so never below the ceiling. */
  leased(): number;
  /** Keeps the object alive until `work` settles (`ctx.waitUntil`). */
  keep(work: Promise<unknown>): void;
}

/**
 * Stores a channel's numbered messages (history rows, `seq`, retained frame) in one transaction,
 * instead of in the publish's own turn: within `FLUSH_MS` once an acknowledgement waits for one of
 * them, else within `LAZY_FLUSH_MS`.
 *
 * Why: any write holds every output of a Durable Object (answers and calls alike) until its
 * commit, so a publish that wrote its row held its own deliveries for a commit (an fsync here, a
 * replication round on Cloudflare). Deliveries now leave at once, and only what an acknowledgement
 * needs waits for storage: `durable(seq)` resolves right after the flush that wrote `seq`, so an
 * answer sent on it leaves with that commit. Every flush also stores a `ceiling` of `RESERVE` seqs
 * past the channel's seq (see ChannelState): numbering never passes a ceiling that is not yet
 * durable, so a restart never hands out a seq twice. A flush that finds nothing new lowers the
 * ceiling to the seq again, so an idle channel restarts without a skip.
 *
 * Why two intervals: a commit costs the object about as much CPU as a few dozen messages (measured:
 * at 8 publishes in flight, flushing every 50 ms instead of every 5 ms took 13% off the CPU per
 * message). Nobody waits for the storage of an unacknowledged message (its deliveries have left); a
 * crash before its flush loses it from history only, as it would within 5 ms too. An ack is not
 * held back by the lazy interval: asking for one brings the flush forward to `FLUSH_MS`. A busy
 * flush is followed by a look `FLUSH_MS` later that lowers the ceiling if nothing new came (and
 * commits nothing if something did), so a channel is ready for a clean restart as soon as before.
 *
 * @example
 * ```ts
 * const flush = new ChannelFlush({ state: () => state, history: () => history, sync: () => ctx.storage.sync(), keep: (p) => ctx.waitUntil(p) });
 * state.publish(fromJson, "42", false);
 * flush.soon();
 * await flush.durable(state.seq); // stored
 * ```
 */
export class ChannelFlush {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (ms since the epoch), while one is set. */
  private dueAt = 0;
  /** Ends the work the runtime keeps the object alive for, once the timer's flush is done. */
  private kept: (() => void) | undefined;
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** The highest seq written so far. */
  private written: number;
  /** Set by `reserve`: the next flush raises the ceiling although nothing new was numbered. */
  private raise = false;
  /** The timer is the look `FLUSH_MS` after a busy flush: it lowers the ceiling if the channel went quiet, and commits nothing otherwise. */
  private followUp = false;

  constructor(
    private readonly host: FlushHost,
    private readonly flushMs = FLUSH_MS,
    private readonly lazyMs = LAZY_FLUSH_MS,
  ) {
    this.written = host.state().seq;
  }

  /** True while numbered messages or a retained value wait to be stored. */
  get pending(): boolean {
    return this.host.state().dirty || this.host.history().dirty;
  }

  /** Asks for a flush within `ms` (default: the lazy interval); one timer at a time, brought forward when asked sooner. */
  soon(ms = this.lazyMs): void {
    const due = Date.now() + ms;
    if (this.timer !== undefined) {
      if (this.dueAt <= due) return;
      clearTimeout(this.timer);
    } else {
      this.host.keep(new Promise<void>((resolve) => (this.kept = resolve)));
    }
    this.dueAt = due;
    this.timer = setTimeout(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = undefined;
    const kept = this.kept;
    this.kept = undefined;
    const check = this.followUp;
    this.followUp = false;
    if (check && this.pending && this.waiters.length === 0) {
      // Still busy and nobody waits: no commit now, the lazy interval runs from here.
      this.soon();
      kept?.();
      return;
    }
    this.run().then(kept, kept);
  }

  /** Resolves once `seq` is stored: an answer sent on it leaves only when that write is durable. */
  durable(seq: number): Promise<void> | undefined {
    if (seq <= this.written) return undefined;
    this.soon(this.flushMs);
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Flushes now with a raised ceiling, for numbering that reached the durable one; resolves once durable. */
  reserve(): Promise<void> {
    this.raise = true;
    return this.run();
  }

  /**
   * Writes what waits, with the ceiling for what follows; resolves once the write is durable.
   * `quiet`: the ceiling comes down to the seq at once (what a quiet channel reaches by itself after
   * a flush interval with nothing new), so that a fresh object over this storage goes on without a skip.
   */
  async run(quiet = false): Promise<void> {
    const state = this.host.state();
    const busy = !quiet && (this.pending || this.raise);
    this.raise = false;
    this.host.history().write();
    const ceiling = Math.max(busy ? state.seq + RESERVE : state.seq, this.host.leased());
    state.write(ceiling);
    this.written = state.seq;
    const ready = this.waiters.filter((w) => w.seq <= this.written);
    this.waiters = this.waiters.filter((w) => w.seq > this.written);
    for (const w of ready) w.resolve();
    // Busy: look again soon, to lower the ceiling if the channel went quiet (a restart then has no skip).
    if (busy) {
      this.soon(this.flushMs);
      this.followUp = true;
    }
    await this.host.sync();
    state.committed(ceiling);
  }
}
