import type { BlockInfo } from "../protocol/frames";
import type { Session } from "./session";

/**
 * The app object's in-memory view of its blocks, rebuilt from socket attachments and SQLite after
 * hibernation, so it is only ever a cache of what the runtime and storage hold.
 *
 * @example
 * ```ts
 * const index = new SessionIndex();
 * index.add(session);
 * index.byKey.get("u1/default1");
 * ```
 */
export class SessionIndex<Socket = WebSocket> {
  readonly byConn = new Map<string, Session<Socket>>();
  /** Sessions by `uid/resource` (see blockKey): unique within an app, and independent of the role. */
  readonly byKey = new Map<string, Session<Socket>>();
  /** Worker sessions per uid, in connection order (the round-robin order). */
  readonly workersByUid = new Map<string, Set<Session<Socket>>>();
  /** How many blocks each uid has here (what presence needs: the first arrives, the last leaves). */
  readonly uids = new Map<string, number>();
  /** Local subscribers per channel. */
  readonly channels = new Map<string, Set<Session<Socket>>>();
  /** Subscriptions of each uid's blocks together (what maxSubscriptionsPerUser bounds). */
  readonly subsByUid = new Map<string, number>();

  add(s: Session<Socket>): void {
    this.byConn.set(s.conn, s);
    this.byKey.set(keyOf(s), s);
    this.uids.set(s.identity.uid, (this.uids.get(s.identity.uid) ?? 0) + 1);
    if (s.worker) getOrAdd(this.workersByUid, s.identity.uid).add(s);
    for (const c of s.channels) getOrAdd(this.channels, c).add(s);
    count(this.subsByUid, s.identity.uid, s.channels.size);
  }

  remove(s: Session<Socket>): void {
    if (this.byConn.get(s.conn) !== s) return;
    this.byConn.delete(s.conn);
    if (this.byKey.get(keyOf(s)) === s) this.byKey.delete(keyOf(s));
    const n = (this.uids.get(s.identity.uid) ?? 1) - 1;
    if (n === 0) this.uids.delete(s.identity.uid);
    else this.uids.set(s.identity.uid, n);
    deleteFrom(this.workersByUid, s.identity.uid, s);
    for (const c of s.channels) deleteFrom(this.channels, c, s);
    count(this.subsByUid, s.identity.uid, -s.channels.size);
  }

  subscribe(s: Session<Socket>, channel: string): void {
    if (s.channels.has(channel)) return;
    s.channels.add(channel);
    getOrAdd(this.channels, channel).add(s);
    count(this.subsByUid, s.identity.uid, 1);
  }

  /** Returns true when this was the channel's last local subscriber. */
  unsubscribe(s: Session<Socket>, channel: string): boolean {
    if (s.channels.delete(channel) && this.byConn.get(s.conn) === s) count(this.subsByUid, s.identity.uid, -1);
    deleteFrom(this.channels, channel, s);
    return !this.channels.has(channel);
  }

  /** The sessions of `uid` that serve `method` (or every method), in round-robin order. */
  servers(uid: string, method: string): Session<Socket>[] {
    const out: Session<Socket>[] = [];
    for (const s of this.workersByUid.get(uid) ?? []) {
      if (s.methods.has(method) || s.methods.has("*")) out.push(s);
    }
    return out;
  }

  /** The blocks of `uid` (or all), of `kind` (or all), as Find reports them. */
  list(uid: string | undefined, kind: string | undefined): BlockInfo[] {
    const out: BlockInfo[] = [];
    for (const s of this.byConn.values()) {
      if ((uid === undefined || s.identity.uid === uid) && (kind === undefined || s.identity.kind === kind)) {
        // [NATS service discovery] a worker's entry lists its endpoints (sorted: the same before and after a wake).
        out.push(
          s.worker ? { ...s.identity, since: s.since, methods: [...s.methods].sort() } : { ...s.identity, since: s.since },
        );
      }
    }
    return out;
  }

  get size(): number {
    return this.byConn.size;
  }
}

function keyOf(s: { identity: { uid: string; resource: string } }): string {
  return `${s.identity.uid}/${s.identity.resource}`;
}

function count<K>(map: Map<K, number>, key: K, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

function getOrAdd<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
