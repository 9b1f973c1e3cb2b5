/**
 * A channel's persistent state in its object's SQLite: the sequence, the retained frame and the
 * member apps. Members carry an epoch that grows on every join, so a stale "no subscribers" answer
 * never removes an app that joined again after it was sent.
 *
 * Numbering is in memory; `write` stores the sequence and the retained frame (the channel's flush).
 * So that a restart never numbers a message again with a seq already delivered, the stored
 * `ceiling` is always at least every seq handed out: a woken object whose stored `seq` is below its
 * `ceiling` stopped before its last flush (a crash), and goes on after the ceiling under the same
 * epoch. The seqs it skips are of messages that were never stored, so never acknowledged
 * (docs/protocol.md, "Channel flushes").
 *
 * @example
 * ```ts
 * const state = new ChannelState(ctx.storage.sql);
 * state.bind("prices");
 * if (state.admits(1)) state.publish(fromJson, "42", false);
 * state.write(state.seq + 4096); // in the flush
 * ```
 */
export class ChannelState {
  seq: number;
  private name: string | undefined;
  private retainedFrame: string | null;
  private retainedDirty = false;
  private readonly memberEpochs = new Map<string, number>();
  /** Per member app: the `order` of its last join, while it is a member (in memory only). */
  private readonly memberOrders = new Map<string, number>();
  private epoch = 0;
  /** The highest seq a restart may have handed out, as stored. */
  private ceiling: number;
  /** The ceiling known to be durable (committed): numbering never passes it. */
  private usable: number;
  /** The seq stored last. */
  private storedSeq: number;

  /** Names this run of `seq`: a new one whenever `seq` starts again from 0 (the storage was freed or lost). */
  seqEpoch: string;
  /** The seqs a crash skipped (never stored, so never acknowledged): from after `from` up to `to`. */
  skipped: { from: number; to: number } | undefined;

  constructor(private readonly sql: Pick<SqlStorage, "exec">) {
    sql.exec(`CREATE TABLE IF NOT EXISTS channel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS members (app TEXT PRIMARY KEY, epoch INTEGER NOT NULL);`);
    const meta = new Map(
      sql
        .exec<{ key: string; value: string }>("SELECT key, value FROM channel_meta")
        .toArray()
        .map((r) => [r.key, r.value]),
    );
    this.name = meta.get("name");
    this.seq = Number(meta.get("seq") ?? 0);
    this.retainedFrame = meta.get("retained") ?? null;
    this.seqEpoch = meta.get("epoch") ?? newEpoch();
    this.ceiling = Number(meta.get("ceiling") ?? this.seq);
    if (meta.has("skipFrom")) this.skipped = { from: Number(meta.get("skipFrom")), to: Number(meta.get("skipTo")) };
    if (this.ceiling > this.seq) {
      // Stopped with seqs handed out past the last flush: go on after every one of them.
      this.skipped = { from: this.seq, to: this.ceiling };
      this.seq = this.ceiling;
      this.put("skipFrom", String(this.skipped.from));
      this.put("skipTo", String(this.skipped.to));
      this.put("seq", String(this.seq));
    }
    this.storedSeq = this.seq;
    this.usable = this.ceiling;
    for (const r of sql.exec<{ app: string; epoch: number }>("SELECT app, epoch FROM members")) {
      this.memberEpochs.set(r.app, r.epoch);
      this.epoch = Math.max(this.epoch, r.epoch);
    }
  }

  bind(channel: string): void {
    if (this.name === undefined) {
      this.name = channel;
      this.put("name", channel);
      this.put("epoch", this.seqEpoch);
    }
  }

  join(app: string, order?: number): void {
    if (order !== undefined) this.memberOrders.set(app, Math.max(order, this.memberOrders.get(app) ?? order));
    const epoch = ++this.epoch;
    this.memberEpochs.set(app, epoch);
    this.sql.exec("INSERT OR REPLACE INTO members (app, epoch) VALUES (?, ?)", app, epoch);
  }

  /** Removes a member; with `epoch`, only if it has not joined again since. */
  leave(app: string, epoch?: number, order?: number): void {
    // A leave the app object sent before a join that overtook it (calls through two stubs are not
    // ordered) must not undo that join: the app's `order` says which of the two it sent last.
    if (order !== undefined && (this.memberOrders.get(app) ?? order) > order) return;
    this.memberOrders.delete(app);
    const current = this.memberEpochs.get(app);
    if (current === undefined || (epoch !== undefined && epoch !== current)) return;
    this.memberEpochs.delete(app);
    this.sql.exec("DELETE FROM members WHERE app = ?", app);
  }

  members(): ReadonlyMap<string, number> {
    return this.memberEpochs;
  }

  retained(): string | null {
    return this.retainedFrame;
  }

  /** True when `count` more messages may be numbered before a flush makes a higher ceiling durable. */
  admits(count: number): boolean {
    return this.seq + count <= this.usable;
  }

  /** The highest seq numbering may reach before a flush makes a higher ceiling durable. */
  get durableCeiling(): number {
    return this.usable;
  }

  /**
   * Goes on after `to` (at most the durable ceiling): the seqs up to it may have been handed out
   * and are never stored, as after a crash (a lease whose holder lost what it numbered).
   */
  skipTo(to: number): void {
    if (to <= this.seq) return;
    this.skipped = { from: this.seq, to };
    this.seq = to;
    this.put("skipFrom", String(this.skipped.from));
    this.put("skipTo", String(this.skipped.to));
  }

  /** Numbers a message, in memory (`write` stores the sequence and the retained frame). */
  publish(fromJson: string, data: string, retain: boolean): { seq: number; text: string } {
    const seq = ++this.seq;
    const head = msgHead(this.name ?? "", fromJson, data, seq);
    if (retain) {
      // [MQTT-3.3.1-10 analogue] an empty retained payload clears the retained value.
      this.retainedFrame = data === "" ? null : `${head},"retained":true}`;
      this.retainedDirty = true;
    }
    return { seq, text: `${head}}` };
  }

  /** True when numbered messages or a retained value wait for `write`. */
  get dirty(): boolean {
    return this.seq !== this.storedSeq || this.retainedDirty;
  }

  /**
   * Stores the sequence and the retained frame, with `ceiling` (at least `seq`) as the highest seq
   * a restart must assume handed out. A lower ceiling than before binds numbering at once; a higher
   * one only once `committed` says the write is durable.
   */
  write(ceiling: number): void {
    if (this.seq !== this.storedSeq) this.put("seq", String(this.seq));
    this.storedSeq = this.seq;
    if (this.retainedDirty) {
      if (this.retainedFrame === null) this.sql.exec("DELETE FROM channel_meta WHERE key = 'retained'");
      else this.put("retained", this.retainedFrame);
      this.retainedDirty = false;
    }
    const next = Math.max(ceiling, this.seq);
    if (next === this.ceiling) return;
    this.ceiling = next;
    this.put("ceiling", String(next));
    this.usable = Math.min(this.usable, next);
  }

  /** The writes up to now are durable: numbering may go up to the stored ceiling. */
  committed(ceiling: number): void {
    if (ceiling === this.ceiling) this.usable = ceiling;
  }

  private put(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO channel_meta (key, value) VALUES (?, ?)", key, value);
  }
}

/**
 * A channel message's frame without its closing brace: what live subscribers get is `${head}}`, the
 * retained frame `${head},"retained":true}`. The channel object and a lease holder build it alike.
 *
 * @example
 * ```ts
 * `${msgHead("prices", fromJson, "42", 7)}}`; // {"t":"msg","channel":"prices","from":{...},"data":"42","seq":7}
 * ```
 */
export function msgHead(channel: string, fromJson: string, data: string, seq: number): string {
  return `{"t":"msg","channel":${JSON.stringify(channel)},"from":${fromJson},"data":${JSON.stringify(data)},"seq":${seq}`;
}

function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("");
}
