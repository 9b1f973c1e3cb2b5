/** One connection's last will, as the app object keeps it. */
export interface StoredWill {
  channel: string;
  data: string;
  retain: boolean;
  /** The block's identity stamp, serialised, as the will is published with it. */
  fromJson: string;
}

/**
 * The last wills of an app object's connections, in its SQLite (contract "Last will"): a will can
 * be as large as `maxFrameBytes`, more than a socket attachment holds, and it must survive the
 * object's hibernation and restart, since it is published when the connection ends, which may be
 * long after the object last ran. One row per connection; a new will replaces the old.
 *
 * @example
 * ```ts
 * const wills = new LastWills(ctx.storage.sql, (will) => publish(will));
 * wills.set("c1", { channel: "status/dev1", data: "offline", retain: true, fromJson });
 * wills.connectionEnded("c1"); // publishes c1's will, if it left one
 * ```
 */
export class LastWills {
  /** `publish` sends a due will on its way (the app object publishes it to its channel). */
  constructor(
    private readonly sql: Pick<SqlStorage, "exec">,
    private readonly publish: (will: StoredWill) => void,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS wills (
      conn TEXT PRIMARY KEY, channel TEXT NOT NULL, data TEXT NOT NULL, retain INTEGER NOT NULL, from_json TEXT NOT NULL)`);
  }

  set(conn: string, will: StoredWill): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO wills (conn, channel, data, retain, from_json) VALUES (?, ?, ?, ?, ?)",
      conn,
      will.channel,
      will.data,
      will.retain ? 1 : 0,
      will.fromJson,
    );
  }

  clear(conn: string): void {
    this.sql.exec("DELETE FROM wills WHERE conn = ?", conn);
  }

  /** Wills held (for the stats route: one at most per block online). */
  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM wills").toArray()[0]?.n ?? 0;
  }

  /** A connection ended: its will, if any, is published (once). */
  connectionEnded(conn: string): void {
    const will = this.take(conn);
    if (will) this.publish(will);
  }

  /**
   * Connections gone without the object having seen them end (its sockets were dropped when it
   * restarted): they ended, so their wills are due.
   */
  connectionsGoneExcept(live: Set<string>): void {
    const gone = this.sql
      .exec<{ conn: string }>("SELECT conn FROM wills")
      .toArray()
      .map((r) => r.conn)
      .filter((conn) => !live.has(conn));
    for (const conn of gone) this.connectionEnded(conn);
  }

  private take(conn: string): StoredWill | undefined {
    const row = this.sql
      .exec<{ channel: string; data: string; retain: number; from_json: string }>(
        "SELECT channel, data, retain, from_json FROM wills WHERE conn = ?",
        conn,
      )
      .toArray()[0];
    if (!row) return undefined;
    this.clear(conn);
    return { channel: row.channel, data: row.data, retain: row.retain === 1, fromJson: row.from_json };
  }
}
