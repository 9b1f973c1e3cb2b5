import type { Refusal } from "../do-contracts";
import { ErrorCode, Quota } from "../protocol/codes";
import type { SqlExec } from "../storage/deferred-schema";

/**
 * The bytes of retained values that one app's blocks have parked on channels, bounded by
 * `maxRetainedBytesPerApp`. Kept in the app object's SQLite (one row per channel) so the bound
 * survives restarts. A value counts against the app that published it until that app replaces or
 * clears it (`retain` with `""`); the edge is not told when another app replaces it, so such a value
 * keeps counting until this app clears it (the bound errs on the safe side).
 *
 * @example
 * ```ts
 * const retained = new RetainedBytes(sql, 64 << 20);
 * const r = retained.reserve("status/dev1", text.length);
 * if (typeof r !== "function") refuse(r); else publish().catch(r); // r() undoes the reservation
 * ```
 */
export class RetainedBytes {
  private total: number | undefined;

  constructor(
    private readonly sql: SqlExec,
    private readonly max: number,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS retained_bytes (channel TEXT PRIMARY KEY, bytes INTEGER NOT NULL)");
  }

  /** Replaces what this app parks on `channel` with `bytes` (0 clears it); answers an undo, or the refusal. */
  reserve(channel: string, bytes: number): Refusal | (() => void) {
    const before = this.bytesOn(channel);
    const total = this.sum() - before + bytes;
    if (bytes > before && total > this.max) {
      const message = `this app's retained values would take ${total} bytes (${Quota.maxRetainedBytesPerApp} is ${this.max}); clear some with retain and ""`;
      return { code: ErrorCode.quota_exceeded, quota: Quota.maxRetainedBytesPerApp, message };
    }
    this.put(channel, bytes, total);
    return () => this.put(channel, before, this.sum() - bytes + before);
  }

  /** Bytes parked in all (for the stats route). */
  get bytes(): number {
    return this.sum();
  }

  private sum(): number {
    this.total ??= Number(this.sql.exec<{ n: number | null }>("SELECT SUM(bytes) AS n FROM retained_bytes").toArray()[0]?.n ?? 0);
    return this.total;
  }

  private bytesOn(channel: string): number {
    return Number(
      this.sql.exec<{ bytes: number }>("SELECT bytes FROM retained_bytes WHERE channel = ?", channel).toArray()[0]?.bytes ?? 0,
    );
  }

  private put(channel: string, bytes: number, total: number): void {
    if (bytes === 0) this.sql.exec("DELETE FROM retained_bytes WHERE channel = ?", channel);
    else this.sql.exec("INSERT OR REPLACE INTO retained_bytes (channel, bytes) VALUES (?, ?)", channel, bytes);
    this.total = total;
  }
}
