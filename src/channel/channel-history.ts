import type { SqlExec } from "../storage/deferred-schema";

/** How much a channel's history keeps: the last `size` messages, none older than `ttlMs`, at most `bytes` together. */
export interface HistoryBounds {
  size: number;
  ttlMs: number;
  bytes: number;
}

/** Rows per INSERT statement (4 bound values each, well under SQLite's bound-parameter limits). */
const ROWS_PER_INSERT = 16;
/** Dropped rows deleted from storage at once. */
const ROWS_PER_DELETE = 64;

/** One kept message, as the object remembers it in memory (its frame stays in storage). */
interface Entry {
  seq: number;
  at: number;
  bytes: number;
}

/** What a recovery read found: every message after `since` (in seq order), or "gap" when some are gone. */
export type Recovered = string[] | "gap";

/**
 * A channel's recent messages, kept in its object's SQLite so that they survive a restart
 * (docs/protocol.md, "History and recovery"). Each message is kept as the exact `msg` frame live
 * subscribers got, so a recovered message is byte for byte the live one.
 *
 * What is kept is always a contiguous run of seqs ending at the channel's last message (or nothing):
 * bounds only ever drop the oldest, and a message too large for the byte bound drops everything
 * before it too, so "the oldest kept seq is at most since + 1" proves that nothing after `since` is gone.
 *
 * `append` only remembers: the rows reach storage on `write` (the channel's flush, with its `seq`, in
 * one transaction), so that a publish's deliveries never wait on a storage commit. A recovery read
 * writes what is waiting first, so it reads every message numbered so far.
 *
 * @example
 * ```ts
 * const history = new ChannelHistory(sql, { size: 256, ttlMs: 600_000, bytes: 1 << 20 }, Date.now());
 * history.append([{ seq: 1, text: frame }], Date.now());
 * history.since(0, 1, Date.now()); // [frame]
 * ```
 */
export class ChannelHistory {
  /** Kept messages, oldest first, from `head` on (entries before `head` are already dropped). */
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;
  /** Seqs below this are dropped; storage deletes them once `ROWS_PER_DELETE` have gathered. */
  private floor = 0;
  private storedFloor = 0;
  /** Appended, not yet written: the rows of `write`'s next INSERT. */
  private unwritten: { seq: number; at: number; bytes: number; text: string }[] = [];

  constructor(
    private readonly sql: SqlExec,
    private readonly bounds: HistoryBounds,
    now: number,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, bytes INTEGER NOT NULL, frame TEXT NOT NULL)",
    );
    for (const r of sql.exec<{ seq: number; at: number; bytes: number }>("SELECT seq, at, bytes FROM history ORDER BY seq")) {
      this.entries.push({ seq: r.seq, at: r.at, bytes: r.bytes });
      this.bytes += r.bytes;
    }
    this.storedFloor = this.entries[0]?.seq ?? 0;
    this.floor = this.storedFloor;
    this.trim(now);
  }

  /** Messages kept now. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** When the newest kept message expires (ms since the epoch), or undefined when nothing is kept. */
  keptUntil(): number | undefined {
    const newest = this.entries[this.entries.length - 1];
    return newest && this.size > 0 ? newest.at + this.bounds.ttlMs : undefined;
  }

  /** Keeps newly numbered messages (in seq order) and drops what the bounds no longer allow (in memory; `write` stores it). */
  append(messages: readonly { seq: number; text: string }[], now: number): void {
    if (this.bounds.size <= 0) return;
    const at = Math.max(now, this.entries[this.entries.length - 1]?.at ?? 0);
    for (const m of messages) {
      const bytes = utf8Length(m.text);
      this.entries.push({ seq: m.seq, at, bytes });
      this.unwritten.push({ seq: m.seq, at, bytes, text: m.text });
      this.bytes += bytes;
    }
    this.trim(now);
  }

  /** True when appended messages or dropped rows still wait for `write`. */
  get dirty(): boolean {
    const drop = this.floor - this.storedFloor;
    return this.unwritten.length > 0 || drop >= ROWS_PER_DELETE || (this.size === 0 && drop > 0);
  }

  /** Stores what `append` and the bounds changed: the new rows still kept, and drops the rows below the floor in bulk. */
  write(): void {
    const rows = this.unwritten.filter((r) => r.seq >= this.floor);
    this.unwritten = [];
    // One statement per few rows: a flush costs a statement or two, not one per message.
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const values = chunk.flatMap((r) => [r.seq, r.at, r.bytes, r.text]);
      const placeholders = chunk.map(() => "(?, ?, ?, ?)").join(", ");
      this.sql.exec(`INSERT OR REPLACE INTO history (seq, at, bytes, frame) VALUES ${placeholders}`, ...values);
    }
    // Dropped rows leave storage in bulk; until then reads start at the floor (a woken object
    // recomputes the same floor from the rows, as the bounds keep the newest run that fits).
    if (this.floor - this.storedFloor >= ROWS_PER_DELETE || (this.size === 0 && this.floor > this.storedFloor)) {
      this.sql.exec("DELETE FROM history WHERE seq < ?", this.floor);
      this.storedFloor = this.floor;
    }
  }

  /**
   * The frames of every message after `since` up to `seq` (the channel's last), in order; "gap" when
   * history no longer holds all of them (or `since` is past `seq`: a position from another epoch's life).
   */
  since(since: number, seq: number, now: number): Recovered {
    if (since > seq) return "gap";
    if (since === seq) return [];
    this.trim(now);
    const oldest = this.entries[this.head];
    if (!oldest || oldest.seq > since + 1) return "gap";
    this.write();
    return this.sql
      .exec<{ frame: string }>("SELECT frame FROM history WHERE seq > ? ORDER BY seq", Math.max(since, this.floor - 1))
      .toArray()
      .map((r) => r.frame);
  }

  /** Drops the oldest messages past the count, byte and age bounds, in memory and then in storage. */
  private trim(now: number): void {
    const oldestAllowed = now - this.bounds.ttlMs;
    while (this.head < this.entries.length) {
      const oldest = this.entries[this.head]!;
      const over = this.size > this.bounds.size || this.bytes > this.bounds.bytes || oldest.at < oldestAllowed;
      if (!over) break;
      this.bytes -= oldest.bytes;
      this.floor = oldest.seq + 1;
      this.head++;
    }
    if (this.head > 1024 || this.head === this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/** UTF-8 length of a string without encoding it (a lone surrogate counts 3, as TextEncoder's U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 code units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
