/**
 * A channel's persistent state in its object's SQLite: the sequence, the retained frame and the
 * member apps. Members carry an epoch that grows on every join, so a stale "no subscribers" answer
 * never removes an app that joined again after it was sent.
 *
 * @example
 * ```ts
 * const state = new ChannelState(ctx.storage.sql);
 * state.bind("prices");
 * const { seq, text } = state.publish(fromJson, "42", false);
 * ```
 */
export class ChannelState {
  seq: number;
  private name: string | undefined;
  private retainedFrame: string | null;
  private readonly memberEpochs = new Map<string, number>();
  /** Per member app: the `order` of its last join, while it is a member (in memory only). */
  private readonly memberOrders = new Map<string, number>();
  private epoch = 0;

  /** Names this run of `seq`: a new one whenever `seq` starts again from 0 (the storage was freed or lost). */
  seqEpoch: string;

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

  /** Numbers a message (in memory: `commitSeq` stores the sequence once per batch). */
  publish(fromJson: string, data: string, retain: boolean): { seq: number; text: string } {
    const seq = ++this.seq;
    const head = `{"t":"msg","channel":${JSON.stringify(this.name)},"from":${fromJson},"data":${JSON.stringify(data)},"seq":${seq}`;
    if (retain) {
      // [MQTT-3.3.1-10 analogue] an empty retained payload clears the retained value.
      this.retainedFrame = data === "" ? null : `${head},"retained":true}`;
      if (this.retainedFrame === null) this.sql.exec("DELETE FROM channel_meta WHERE key = 'retained'");
      else this.put("retained", this.retainedFrame);
    }
    return { seq, text: `${head}}` };
  }

  /** Stores the sequence, so that it survives a restart. */
  commitSeq(): void {
    this.put("seq", String(this.seq));
  }

  private put(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO channel_meta (key, value) VALUES (?, ?)", key, value);
  }
}

function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("");
}
