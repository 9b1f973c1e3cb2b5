/** Where a rotation keeps its place, so that it survives the object's hibernation and restart. */
export interface RotationStore {
  /** Every pool's last pick, read once per object instance. */
  loadAll(): Iterable<{ uid: string; pool: string; last: string }>;
  save(uid: string, pool: string, last: string): void;
  /** Forgets every pool of a uid (its last worker left). */
  forgetUid(uid: string): void;
}

/**
 * Round-robin over the workers of each (uid, method) pool, in the order of their connection ids:
 * each pick is the first candidate after the pool's last pick, wrapping around. With N stable
 * workers, M calls give each worker M/N ± 1, and since the last pick is kept in storage the
 * rotation continues where it was after the object sleeps, however sparse the calls are.
 * A pool served only by `*` workers is the uid's "*" pool, so unknown method names add no state.
 *
 * @example
 * ```ts
 * const rr = new RoundRobin(store);
 * rr.pick("u1", "sum", [a, b]); // a (the lower conn)
 * rr.pick("u1", "sum", [a, b]); // b
 * ```
 */
export class RoundRobin {
  private readonly last = new Map<string, string>();

  constructor(private readonly store: RotationStore) {
    for (const r of store.loadAll()) this.last.set(key(r.uid, r.pool), r.last);
  }

  pick<T extends { conn: string; methods: ReadonlySet<string> }>(
    uid: string,
    method: string,
    candidates: readonly T[],
  ): T | undefined {
    if (candidates.length === 0) return undefined;
    const pool = candidates.some((c) => c.methods.has(method)) ? method : "*";
    const k = key(uid, pool);
    const last = this.last.get(k);
    let first: T | undefined;
    let next: T | undefined;
    for (const c of candidates) {
      if (first === undefined || c.conn < first.conn) first = c;
      if (last !== undefined && c.conn > last && (next === undefined || c.conn < next.conn)) next = c;
    }
    const chosen = (next ?? first) as T;
    this.last.set(k, chosen.conn);
    this.store.save(uid, pool, chosen.conn);
    return chosen;
  }

  /** Forgets a uid's pools once it has no worker left. */
  forgetUid(uid: string): void {
    const prefix = `${uid}\u0000`;
    let had = false;
    for (const k of this.last.keys()) {
      if (k.startsWith(prefix)) {
        this.last.delete(k);
        had = true;
      }
    }
    if (had) this.store.forgetUid(uid);
  }

  /** Pools with a rotation kept (for the stats route). */
  get size(): number {
    return this.last.size;
  }
}

/**
 * The rotation's rows in an object's SQLite.
 *
 * @example
 * ```ts
 * const rr = new RoundRobin(new SqlRotationStore(ctx.storage.sql));
 * ```
 */
export class SqlRotationStore implements RotationStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS rotation (uid TEXT NOT NULL, pool TEXT NOT NULL, last TEXT NOT NULL, PRIMARY KEY (uid, pool))",
    );
  }

  loadAll(): Iterable<{ uid: string; pool: string; last: string }> {
    return this.sql.exec<{ uid: string; pool: string; last: string }>("SELECT uid, pool, last FROM rotation").toArray();
  }

  save(uid: string, pool: string, last: string): void {
    this.sql.exec("INSERT OR REPLACE INTO rotation (uid, pool, last) VALUES (?, ?, ?)", uid, pool, last);
  }

  forgetUid(uid: string): void {
    this.sql.exec("DELETE FROM rotation WHERE uid = ?", uid);
  }
}

function key(uid: string, pool: string): string {
  return `${uid}\u0000${pool}`;
}
