import type { ChannelHistory } from "./channel-history";
import type { ChannelState } from "./channel-state";

/** How long numbered messages wait in memory before a flush stores them (ms). */
export const FLUSH_MS = 5;
/** Seqs a flush reserves past the channel's seq: numbering runs ahead of storage by at most this many. */
export const RESERVE = 1024;

/** What a flush writes and how it waits for the write to be durable. */
export interface FlushHost {
  state(): ChannelState;
  history(): ChannelHistory;
  /** Resolves once every write so far is durable (`ctx.storage.sync()`). */
  sync(): Promise<void>;
  /** Keeps the object alive until `work` settles (`ctx.waitUntil`). */
  keep(work: Promise<unknown>): void;
}

/**
 * Stores a channel's numbered messages (history rows, `seq`, retained frame) at most `FLUSH_MS`
 * after they were numbered, in one transaction, instead of in the publish's own turn.
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
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** The highest seq written so far. */
  private written: number;
  /** Set by `reserve`: the next flush raises the ceiling although nothing new was numbered. */
  private raise = false;

  constructor(
    private readonly host: FlushHost,
    private readonly flushMs = FLUSH_MS,
  ) {
    this.written = host.state().seq;
  }

  /** True while numbered messages or a retained value wait to be stored. */
  get pending(): boolean {
    return this.host.state().dirty || this.host.history().dirty;
  }

  /** Asks for a flush within `flushMs` (one timer at a time). */
  soon(): void {
    if (this.timer !== undefined) return;
    this.host.keep(
      new Promise<void>((resolve) => {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.run().then(resolve, resolve);
        }, this.flushMs);
      }),
    );
  }

  /** Resolves once `seq` is stored: an answer sent on it leaves only when that write is durable. */
  durable(seq: number): Promise<void> | undefined {
    if (seq <= this.written) return undefined;
    this.soon();
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
    const ceiling = busy ? state.seq + RESERVE : state.seq;
    state.write(ceiling);
    this.written = state.seq;
    const ready = this.waiters.filter((w) => w.seq <= this.written);
    this.waiters = this.waiters.filter((w) => w.seq > this.written);
    for (const w of ready) w.resolve();
    // Busy: look again after another interval, to lower the ceiling once the channel is quiet.
    if (busy) this.soon();
    await this.host.sync();
    state.committed(ceiling);
  }
}
