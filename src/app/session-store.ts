/**
 * The app object's per-connection rows in SQLite: serve declarations, channel subscriptions,
 * channel capabilities and token expiries, keyed by connection id (which the socket's attachment carries). Together with the
 * attachments they let a woken or restarted object route exactly as before.
 *
 * @example
 * ```ts
 * const store = new SessionStore(ctx.storage.sql);
 * store.setServes("c1", ["sum"]);
 * const { serves, subs } = store.load();
 * ```
 */
export class SessionStore {
  constructor(private readonly sql: Pick<SqlStorage, "exec">) {
    sql.exec(`CREATE TABLE IF NOT EXISTS app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS serves (conn TEXT NOT NULL, method TEXT NOT NULL, PRIMARY KEY (conn, method));
      CREATE TABLE IF NOT EXISTS subs (conn TEXT NOT NULL, channel TEXT NOT NULL, PRIMARY KEY (conn, channel));
      CREATE TABLE IF NOT EXISTS expiry (conn TEXT PRIMARY KEY, exp INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS caps (conn TEXT PRIMARY KEY, pub TEXT, sub TEXT);
      CREATE INDEX IF NOT EXISTS expiry_by_exp ON expiry (exp);`);
  }

  appName(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM app_meta WHERE key = 'app'").toArray()[0]?.value;
  }

  setAppName(app: string): void {
    this.sql.exec("INSERT OR REPLACE INTO app_meta (key, value) VALUES ('app', ?)", app);
  }

  setServes(conn: string, methods: Iterable<string>): void {
    this.sql.exec("DELETE FROM serves WHERE conn = ?", conn);
    for (const m of methods) this.sql.exec("INSERT INTO serves (conn, method) VALUES (?, ?)", conn, m);
  }

  addSub(conn: string, channel: string): void {
    this.sql.exec("INSERT OR IGNORE INTO subs (conn, channel) VALUES (?, ?)", conn, channel);
  }

  removeSub(conn: string, channel: string): void {
    this.sql.exec("DELETE FROM subs WHERE conn = ? AND channel = ?", conn, channel);
  }

  /** Keeps a block's channel capabilities (only blocks whose token limits them have a row). */
  setCaps(conn: string, caps: { pub?: readonly string[]; sub?: readonly string[] }): void {
    if (!caps.pub && !caps.sub) return;
    const json = (list: readonly string[] | undefined) => (list ? JSON.stringify(list) : null);
    this.sql.exec("INSERT OR REPLACE INTO caps (conn, pub, sub) VALUES (?, ?, ?)", conn, json(caps.pub), json(caps.sub));
  }

  addExpiry(conn: string, exp: number): void {
    this.sql.exec("INSERT OR REPLACE INTO expiry (conn, exp) VALUES (?, ?)", conn, exp);
  }

  expiredConns(now: number): string[] {
    return this.sql
      .exec<{ conn: string }>("SELECT conn FROM expiry WHERE exp <= ?", now)
      .toArray()
      .map((r) => r.conn);
  }

  removeExpiry(conn: string): void {
    this.sql.exec("DELETE FROM expiry WHERE conn = ?", conn);
  }

  removeExpiries(conns: Iterable<string>): void {
    for (const c of conns) this.sql.exec("DELETE FROM expiry WHERE conn = ?", c);
  }

  nextExpiry(): number | undefined {
    const row = this.sql.exec<{ exp: number | null }>("SELECT MIN(exp) AS exp FROM expiry").toArray()[0];
    return row?.exp ?? undefined;
  }

  removeConn(conn: string): void {
    this.sql.exec("DELETE FROM serves WHERE conn = ?", conn);
    this.sql.exec("DELETE FROM subs WHERE conn = ?", conn);
    this.sql.exec("DELETE FROM expiry WHERE conn = ?", conn);
    this.sql.exec("DELETE FROM caps WHERE conn = ?", conn);
  }

  /** Rows per table (for the stats route: they follow the blocks online). */
  rowCounts(): { serves: number; subs: number; expiry: number } {
    const n = (table: string) => this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).toArray()[0]?.n ?? 0;
    return { serves: n("serves"), subs: n("subs"), expiry: n("expiry") };
  }

  /** Everything per connection, for rebuilding the index. */
  load(): {
    serves: Map<string, Set<string>>;
    subs: Map<string, Set<string>>;
    caps: Map<string, { pub?: string[]; sub?: string[] }>;
  } {
    const serves = new Map<string, Set<string>>();
    const subs = new Map<string, Set<string>>();
    const caps = new Map<string, { pub?: string[]; sub?: string[] }>();
    for (const r of this.sql.exec<{ conn: string; method: string }>("SELECT conn, method FROM serves"))
      add(serves, r.conn, r.method);
    for (const r of this.sql.exec<{ conn: string; channel: string }>("SELECT conn, channel FROM subs"))
      add(subs, r.conn, r.channel);
    for (const r of this.sql.exec<{ conn: string; pub: string | null; sub: string | null }>("SELECT conn, pub, sub FROM caps")) {
      caps.set(r.conn, {
        ...(r.pub !== null ? { pub: JSON.parse(r.pub) as string[] } : {}),
        ...(r.sub !== null ? { sub: JSON.parse(r.sub) as string[] } : {}),
      });
    }
    return { serves, subs, caps };
  }

  /** Drops the rows of every connection not in `live`. */
  removeExcept(live: Set<string>): void {
    const conns = new Set<string>();
    for (const table of ["serves", "subs", "expiry", "caps"]) {
      for (const r of this.sql.exec<{ conn: string }>(`SELECT DISTINCT conn FROM ${table}`)) conns.add(r.conn);
    }
    for (const c of conns) if (!live.has(c)) this.removeConn(c);
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}
