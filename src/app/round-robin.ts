/** Where a rotation keeps its place, so that it survives the object's hibernation and restart. */
export interface RotationStore {
  /** Every pool's last pick, read once per object instance. */
  loadAll(): Iterable<{ uid: string; pool: string; last: string }>;
  save(uid: string, pool: string, last: string): void;
  /** Forgets every pool of a uid (its last worker left). */
  forgetUid(uid: string): void;
  /** Forgets one pool (the least recently used, past the bound). */
  forget(uid: string, pool: string): void;
}

/**
 * Round-robin over the workers of each (uid, method) pool, in the order of their connection ids:
 * each pick is the first candidate after the pool's last pick, wrapping around. With N stable
 * workers, M calls give each worker M/N ± 1, and since the last pick is kept in storage the
 * rotation continues where it was after the object sleeps, however sparse the calls are.
 * A pool served only by `*` workers is the uid's "*" pool, so unknown method names add no state, and
 * at most `maxPools` rotations are kept (the least recently used goes first).
 *
 * @example
 * ```ts
 * const rr = new RoundRobin(store);
 * rr.pick("u1", "sum", [a, b]); // a (the lower conn)
 * rr.pick("u1", "sum", [a, b]); // b
 * ```
 */
export class RoundRobin {
  /** Per pool, the last pick; the map's order is least recently used first. */
  private readonly last = new Map<string, { uid: string; pool: string; conn: string }>();

  constructor(
    private readonly store: RotationStore,
    private readonly maxPools = 10_000,
  ) {
    for (const r of store.loadAll()) this.last.set(key(r.uid, r.pool), { uid: r.uid, pool: r.pool, conn: r.last });
  }

  pick<T extends { conn: string; methods: ReadonlySet<string> }>(
    uid: string,
    method: string,
    candidates: readonly T[],
  ): T | undefined {
    if (candidates.length === 0) return undefined;
    const pool = candidates.some((c) => c.methods.has(method)) ? method : "*";
    const k = key(uid, pool);
    const last = this.last.get(k)?.conn;
    let first: T | undefined;
    let next: T | undefined;
    for (const c of candidates) {
      if (first === undefined || c.conn < first.conn) first = c;
      if (last !== undefined && c.conn > last && (next === undefined || c.conn < next.conn)) next = c;
    }
    const chosen = (next ?? first) as T;
    this.last.delete(k);
    this.last.set(k, { uid, pool, conn: chosen.conn });
    this.store.save(uid, pool, chosen.conn);
    if (this.last.size > this.maxPools) {
      const [oldest, row] = this.last.entries().next().value as [string, { uid: string; pool: string }];
      this.last.delete(oldest);
      this.store.forget(row.uid, row.pool);
    }
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

/** At most one storage write of the rotation per this many ms, however many calls are made. */
export const ROTATION_FLUSH_MS = 1000;

/**
 * The rotation's rows in an object's SQLite. The place is a hint for fairness, not a correctness
 * matter, so it is written off the call's path: after the current event's sends (a write before a
 * send would hold the send until the write is durable), and at most once per second under load; an
 * object is evicted only after seconds of idleness, so the last place is on disk by then.
 *
 * @example
 * ```ts
 * const rr = new RoundRobin(new SqlRotationStore(ctx.storage.sql));
 * ```
 */
export class SqlRotationStore implements RotationStore {
  private readonly dirty = new Map<string, { uid: string; pool: string; last: string }>();
  private flushedAt = 0;
  private scheduled = false;

  constructor(private readonly sql: Pick<SqlStorage, "exec">) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS rotation (uid TEXT NOT NULL, pool TEXT NOT NULL, last TEXT NOT NULL, PRIMARY KEY (uid, pool))",
    );
  }

  loadAll(): Iterable<{ uid: string; pool: string; last: string }> {
    return this.sql.exec<{ uid: string; pool: string; last: string }>("SELECT uid, pool, last FROM rotation").toArray();
  }

  save(uid: string, pool: string, last: string): void {
    this.dirty.set(key(uid, pool), { uid, pool, last });
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.flushedAt + ROTATION_FLUSH_MS - Date.now();
    if (wait <= 0) queueMicrotask(() => this.flush());
    else setTimeout(() => this.flush(), wait);
  }

  forgetUid(uid: string): void {
    for (const [k, row] of this.dirty) if (row.uid === uid) this.dirty.delete(k);
    this.sql.exec("DELETE FROM rotation WHERE uid = ?", uid);
  }

  forget(uid: string, pool: string): void {
    this.dirty.delete(key(uid, pool));
    this.sql.exec("DELETE FROM rotation WHERE uid = ? AND pool = ?", uid, pool);
  }

  private flush(): void {
    this.scheduled = false;
    this.flushedAt = Date.now();
    for (const r of this.dirty.values()) {
      this.sql.exec("INSERT OR REPLACE INTO rotation (uid, pool, last) VALUES (?, ?, ?)", r.uid, r.pool, r.last);
    }
    this.dirty.clear();
  }
}

function key(uid: string, pool: string): string {
  return `${uid}\u0000${pool}`;
}
