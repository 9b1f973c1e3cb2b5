import { ChannelCapability } from "../auth/capabilities";
import type { NexusConfig } from "../config";
import { makeIdentity } from "../identity/jid";
import { isWorkerKind, randomSuffix } from "../identity/kinds";
import type { BlockInfo } from "../protocol/frames";
import type { LastWills } from "./last-will";
import { blockKey } from "./routing";
import { countSends } from "./send";
import { attachmentOf, type Session, type SessionAttachment, type SessionCaps } from "./session";
import { SessionIndex } from "./session-index";
import type { SessionStore } from "./session-store";
import { TrafficStats } from "./traffic-stats";

/**
 * The app object's live blocks: its in-memory index over the runtime's hibernatable sockets, built
 * again from the sockets' attachments and the object's SQLite whenever the object wakes or restarts.
 *
 * @example
 * ```ts
 * const blocks = new AppBlocks(ctx, store, config);
 * const session = blocks.sessionOf(ws); // undefined once the block was dropped
 * ```
 */
export class AppBlocks {
  private built: SessionIndex | undefined;
  private readonly sessions = new WeakMap<WebSocket, Session>();
  /** Connects in progress per uid: they count as the uid's presence before their block exists. */
  private readonly connecting = new Map<string, number>();
  /** Frames in and out, calls, latency and errors over the last minutes (the console's charts). */
  readonly traffic: TrafficStats;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: SessionStore,
    private readonly config: NexusConfig,
    private readonly wills: LastWills,
    /** When a block rebuilt after a wake was last heard from, at the latest (see keepalive.ts). */
    private readonly heardAfterWake: (att: SessionAttachment, now: number) => number,
  ) {
    // Before the index is built (just woken): the runtime's sockets are the connections.
    this.traffic = new TrafficStats(() => this.built?.byConn.size ?? ctx.getWebSockets().length);
  }

  /** The index, rebuilt from attachments and storage after hibernation or eviction. */
  get index(): SessionIndex {
    if (this.built) return this.built;
    const index = new SessionIndex();
    const { serves, subs, caps } = this.store.load();
    const live = new Set<string>();
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as SessionAttachment | null;
      // Closing sockets are kept: their webSocketClose is what removes them, with their calls and presence.
      if (!att) continue;
      live.add(att.conn);
      const session = this.toSession(ws, att, serves.get(att.conn) ?? new Set(), subs.get(att.conn) ?? new Set());
      session.caps = capsOf(caps.get(att.conn) ?? {});
      session.heardAt = this.heardAfterWake(att, now);
      index.add(session);
    }
    // Rows of connections that did not survive an eviction (sockets are dropped when an object restarts).
    this.store.removeExcept(live);
    this.wills.connectionsGoneExcept(live);
    this.built = index;
    return index;
  }

  /** Indexes a socket the runtime has just accepted: from here on it can be reached. */
  add(ws: WebSocket, att: SessionAttachment, caps: { pub?: string[]; sub?: string[] }): Session {
    const session = this.toSession(ws, att, new Set(), new Set());
    session.caps = capsOf(caps);
    this.store.setCaps(att.conn, caps);
    this.index.add(session);
    return session;
  }

  /** Whether a uid has a block here, or one on its way (a connect that has not finished yet). */
  holdsUid(uid: string): boolean {
    return this.index.uids.has(uid) || this.connecting.has(uid);
  }

  /** Counts a connect of `uid` in progress, until `done` is called. */
  connectingAs(uid: string): { done(): void } {
    this.connecting.set(uid, (this.connecting.get(uid) ?? 0) + 1);
    let open = true;
    return {
      done: () => {
        if (!open) return;
        open = false;
        const n = (this.connecting.get(uid) ?? 1) - 1;
        if (n === 0) this.connecting.delete(uid);
        else this.connecting.set(uid, n);
      },
    };
  }

  /** The live session of a socket; undefined once it has been dropped (its late frames are ignored). */
  sessionOf(ws: WebSocket): Session | undefined {
    const index = this.index;
    const known = this.sessions.get(ws);
    if (known) return index.byConn.get(known.conn) === known ? known : undefined;
    const att = ws.deserializeAttachment() as SessionAttachment | null;
    return att ? index.byConn.get(att.conn) : undefined;
  }

  /** The blocks of a uid (or all), of a kind (or all), as Find lists them. */
  list(uid: string | undefined, kind: string | undefined): BlockInfo[] {
    return this.index.list(uid, kind);
  }

  /** Every worker block. */
  *workers(): Iterable<Session> {
    for (const set of this.index.workersByUid.values()) yield* set;
  }

  /** A resource of `kind` with a random suffix that no block of `uid` holds. */
  freeResource(uid: string, kind: string): string {
    for (;;) {
      const resource = kind + randomSuffix(8);
      if (!this.index.byKey.has(blockKey(uid, resource))) return resource;
    }
  }

  /** After a re-own, roles change: every later frame carries the new role (and JID). */
  restampRoles(owner: string): void {
    for (const s of this.index.byConn.values()) {
      const role = s.identity.uid === owner ? "owner" : "user";
      if (role === s.identity.role) continue;
      s.identity = makeIdentity({ ...s.identity, role }, this.config.domain);
      s.fromJson = JSON.stringify(s.identity);
      s.ws.serializeAttachment(attachmentOf(s));
    }
  }

  private toSession(ws: WebSocket, att: SessionAttachment, methods: Set<string>, channels: Set<string>): Session {
    const session: Session = {
      ...att,
      ws,
      worker: isWorkerKind(att.identity.kind),
      fromJson: JSON.stringify(att.identity),
      methods,
      channels,
      caps: {},
      // Made at its first frame (frame-handlers.ts): a full bucket then is what one made now would hold.
      bucket: undefined,
      heardAt: att.since,
      unread: 0,
      pingSeen: 0,
      credits: 0,
    };
    this.sessions.set(ws, session);
    countSends(ws, this.traffic);
    return session;
  }
}

function capsOf(claims: { pub?: string[]; sub?: string[] }): SessionCaps {
  const caps: SessionCaps = {};
  if (claims.pub) caps.pub = ChannelCapability.parse(claims.pub);
  if (claims.sub) caps.sub = ChannelCapability.parse(claims.sub);
  return caps;
}
