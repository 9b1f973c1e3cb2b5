import { DurableObject } from "cloudflare:workers";
import { KeyedBatcher } from "../batcher";
import type { Delivery, Publish } from "../channel/channel-object";
import { type NexusConfig, readConfig } from "../config";
import { makeIdentity } from "../identity/jid";
import { isWorkerKind, parseResource, randomSuffix } from "../identity/kinds";
import { CloseCode, ErrorCode } from "../protocol/codes";
import type { ApiOutcome, BlockInfo, Identity } from "../protocol/frames";
import { welcomeFrame } from "../protocol/welcome";
import { StubCache } from "../stubs";
import { AppChannels } from "./app-channels";
import { handleFrame } from "./frame-handlers";
import { OutboundCalls } from "./outbound-calls";
import { PendingCalls } from "./pending-calls";
import { TokenBucket } from "./rate-limit";
import { RateMeter } from "./rate-meter";
import { type GrantKind, Registry, type RegistryEntry } from "./registry";
import { RoundRobin } from "./round-robin";
import { authorize, blockKey, callTarget, directTarget, failed, isRefusal, type Refusal, type TargetRequest } from "./routing";
import { send } from "./send";
import type { Session, SessionAttachment } from "./session";
import { SessionIndex } from "./session-index";
import { SessionStore } from "./session-store";

/** What the edge worker has verified about a connecting block, passed in the `x-nexus-block` header. */
export interface ConnectClaims {
  app: string;
  uid: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
  resource?: string;
  kind?: string;
}

/** A call as the target app's object receives it. */
export interface CallRequest extends TargetRequest {
  callKey: string;
  method: string;
  data: unknown;
  timeoutMs: number;
}

/** A Direct as another app's object forwards it. */
export interface DirectItem {
  caller: Identity;
  callerFromJson: string;
  req: TargetRequest & { resource: string; data: string };
}

export const CLAIMS_HEADER = "x-nexus-block";

/**
 * One per app: holds its blocks' hibernatable WebSockets, its registry entry and the pending API
 * calls to its workers. The runtime hooks stay thin; routing rules live in pure modules.
 */
export class AppObject extends DurableObject<Env> {
  readonly config: NexusConfig;
  readonly registry: Registry;
  readonly store: SessionStore;
  readonly pending = new PendingCalls();
  readonly rr = new RoundRobin();
  readonly stubs: StubCache;
  readonly channels: AppChannels;
  readonly meter = new RateMeter();
  /** Per channel: one publish call in flight; what arrives meanwhile goes in the next (order kept). */
  readonly publishes: KeyedBatcher<Publish, number>;
  /** Per other app: one Direct call in flight; what arrives meanwhile goes in the next (order kept). */
  readonly directs: KeyedBatcher<DirectItem, Refusal | null>;
  /** Calls each local caller has in flight, for cancelling them when it leaves. */
  readonly outbound = new OutboundCalls();
  appName: string | undefined;
  private index: SessionIndex | undefined;
  private readonly sessions = new WeakMap<WebSocket, Session>();
  private listed = false;
  /** The scheduled alarm (token expiry), once read: undefined until then, null when none is set. */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env);
    this.registry = new Registry(ctx.storage.sql);
    this.store = new SessionStore(ctx.storage.sql);
    this.appName = this.store.appName();
    this.stubs = new StubCache(env);
    this.channels = new AppChannels(this);
    this.publishes = new KeyedBatcher((channel, items) => this.stubs.channel(channel).publishBatch(channel, items));
    this.directs = new KeyedBatcher((app, items) => this.stubs.app(app).rpcDirectBatch(app, items));
    // Keepalive costs nothing: the runtime answers without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"t":"ping"}', '{"t":"pong"}'));
  }

  /** The WebSocket upgrade, forwarded by the edge after it verified the token. */
  override async fetch(request: Request): Promise<Response> {
    const claims = JSON.parse(request.headers.get(CLAIMS_HEADER) ?? "null") as ConnectClaims | null;
    if (!claims || request.headers.get("Upgrade") !== "websocket") return new Response("bad internal request", { status: 400 });
    this.bindApp(claims.app);
    const kind = claims.resource ? parseResource(claims.resource)?.kind : claims.kind;
    if (!kind) return new Response("bad internal request", { status: 400 });
    const resource = claims.resource ?? this.freeResource(claims.uid, kind);
    const role = this.registry.owner() === claims.uid ? "owner" : "user";
    const identity = makeIdentity({ app: claims.app, uid: claims.uid, role, resource, kind }, this.config.domain);

    // [XMPP resource conflict] a second connection with the same full JID replaces the first. From this
    // check to the index holding the new block nothing awaits, so two connects cannot both keep a JID.
    const index = this.ensureIndex();
    const previous = index.byKey.get(blockKey(claims.uid, resource));
    if (previous) this.drop(previous.ws, CloseCode.replaced, "replaced by a new connection");
    const pair = new WebSocketPair();
    const ws = pair[1];
    const attachment: SessionAttachment = { conn: randomSuffix(12), identity, since: Date.now(), exp: claims.exp * 1000 };
    // Tags name the block to the runtime itself (getWebSockets), independent of this object's index.
    this.ctx.acceptWebSocket(ws, [`r:${claims.uid}/${resource}`, `u:${claims.uid}`]);
    ws.serializeAttachment(attachment);
    index.add(this.toSession(ws, attachment, new Set(), new Set()));
    this.store.addExpiry(attachment.conn, attachment.exp);

    // The uid's first block here tells its presence object (after any "remove" a replaced block sent,
    // on the same stub, so in order), before welcome, so that Find sees the block once it is welcomed.
    if (index.uids.get(claims.uid) === 1) await this.stubs.user(claims.uid).add(claims.app);
    if (!this.listed) {
      this.listed = true;
      this.background(
        this.stubs
          .directory()
          .touch(claims.app)
          .catch(() => (this.listed = false)),
      );
    }
    await this.scheduleExpiry(attachment.exp);
    send(ws, welcomeFrame(identity, { maxFrameBytes: this.config.maxFrameBytes, apiTimeoutMs: this.config.apiTimeoutMs }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const session = this.sessionOf(ws);
    if (!session) return;
    const now = Date.now();
    this.meter.mark(now);
    if (session.exp <= now) {
      this.drop(ws, CloseCode.tokenExpired, "token expired");
      return;
    }
    await handleFrame(this, session, message, now);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.drop(ws, code === 1005 || code === 1006 ? CloseCode.normal : code, "closed");
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.drop(ws, CloseCode.goingAway, "socket error");
  }

  /** Closes sockets whose token expired with 4001, then waits for the next expiry. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const expired = new Set(this.store.expiredConns(now));
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as SessionAttachment | null;
      if (att && expired.has(att.conn)) this.drop(ws, CloseCode.tokenExpired, "token expired");
    }
    this.store.removeExpiries(expired);
    const next = this.store.nextExpiry();
    this.alarmAt = next ?? null;
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  /** Work that must finish even though no frame waits for it (leaves, presence, cancels). */
  background(work: Promise<unknown>): void {
    this.ctx.waitUntil(work);
  }

  // ---- RPC entry points, called by other app objects, channel objects and the edge ----

  /** An API call from a block of another app. */
  rpcCall(app: string, caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    this.bindApp(app);
    return this.routeCall(caller, callerFromJson, req);
  }

  rpcCancel(app: string, callKeys: string[]): void {
    this.bindApp(app);
    this.pending.cancel(callKeys);
  }

  /** A Direct from a block of another app; answers the refusal code or null when delivered. */
  /** Directs from blocks of another app, in order; answers each one's refusal, or null when delivered. */
  rpcDirectBatch(app: string, items: DirectItem[]): (Refusal | null)[] {
    this.bindApp(app);
    return items.map((d) => this.routeDirect(d.caller, d.callerFromJson, d.req));
  }

  /** A channel message to this app's subscribers; answers how many local subscribers got it. */
  rpcDeliverBatch(app: string, channel: string, items: Delivery[]): number {
    this.bindApp(app);
    let delivered = 0;
    for (const m of items) delivered = this.channels.deliverLocal(channel, m.text, m.seq);
    return delivered;
  }

  /** The online blocks of a uid (optionally of one kind), for Find. */
  rpcBlocks(app: string, uid: string | undefined, kind: string | undefined): BlockInfo[] {
    this.bindApp(app);
    return this.blocks(uid, kind);
  }

  /** Find with scope "app": every online block, for the app's owner only. */
  rpcScopedBlocks(app: string, callerUid: string, kind: string | undefined): Refusal | BlockInfo[] {
    this.bindApp(app);
    const owner = this.registry.owner();
    if (owner === undefined) return { code: ErrorCode.not_found, message: `app "${app}" is not in the registry` };
    if (owner !== callerUid) return { code: ErrorCode.forbidden, message: 'scope "app" is for the app\'s owner' };
    return this.blocks(undefined, kind);
  }

  adminPut(app: string, owner: string): RegistryEntry {
    this.bindApp(app);
    const previous = this.registry.owner();
    this.registry.setOwner(owner);
    if (previous !== owner) this.restampRoles(owner);
    return this.adminGet(app);
  }

  adminGrant(app: string, uid: string, kind: GrantKind): RegistryEntry | undefined {
    this.bindApp(app);
    if (this.registry.owner() === undefined) return undefined;
    this.registry.grant(uid, kind);
    return this.adminGet(app);
  }

  adminRevoke(app: string, uid: string): RegistryEntry | undefined {
    this.bindApp(app);
    if (this.registry.owner() === undefined) return undefined;
    this.registry.revoke(uid);
    return this.adminGet(app);
  }

  adminGet(app: string): RegistryEntry & { online: number } {
    this.bindApp(app);
    return { app, owner: this.registry.owner(), grants: this.registry.grants(), online: this.ctx.getWebSockets().length };
  }

  adminStats(app: string): { app: string; connections: number; messagesIn: number; messagesPerSec: number } {
    this.bindApp(app);
    return {
      app,
      connections: this.ctx.getWebSockets().length,
      messagesIn: this.meter.total,
      messagesPerSec: this.meter.perSecond(),
    };
  }

  // ---- routing, shared by local frames and RPC ----

  routeCall(caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    const app = this.appName ?? "";
    const auth = authorize(this.registry, app, caller, req);
    if (isRefusal(auth)) return Promise.resolve(failed(auth));
    const worker = callTarget(this.ensureIndex(), this.rr, auth.targetUid, req.method, req.resource);
    if (isRefusal(worker)) return Promise.resolve(failed(worker));
    const head = `{"t":"api.req","rid":`;
    const tail = `,"method":${JSON.stringify(req.method)},"from":${callerFromJson},"data":${JSON.stringify(req.data ?? null)}}`;
    return this.pending.open({ callKey: req.callKey, worker: worker.conn, timeoutMs: req.timeoutMs }, (rid) => {
      // A worker that closed a moment ago is still indexed until its close is handled: fail fast.
      if (!send(worker.ws, `${head}"${rid}"${tail}`)) queueMicrotask(() => this.pending.workerGone(worker.conn));
    });
  }

  routeDirect(caller: Identity, callerFromJson: string, req: TargetRequest & { resource: string; data: string }): Refusal | null {
    const auth = authorize(this.registry, this.appName ?? "", caller, req);
    if (isRefusal(auth)) return auth;
    const target = directTarget(this.ensureIndex(), auth.targetUid, req.resource);
    if (isRefusal(target)) return target;
    send(target.ws, `{"t":"direct","from":${callerFromJson},"data":${JSON.stringify(req.data)}}`);
    return null;
  }

  blocks(uid: string | undefined, kind: string | undefined): BlockInfo[] {
    return this.ensureIndex().list(uid, kind);
  }

  /** The index, rebuilt from attachments and storage after hibernation or eviction. */
  ensureIndex(): SessionIndex {
    if (this.index) return this.index;
    const index = new SessionIndex();
    const { serves, subs } = this.store.load();
    const live = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as SessionAttachment | null;
      // Closing sockets are kept: their webSocketClose is what removes them, with their calls and presence.
      if (!att) continue;
      live.add(att.conn);
      index.add(this.toSession(ws, att, serves.get(att.conn) ?? new Set(), subs.get(att.conn) ?? new Set()));
    }
    // Rows of connections that did not survive an eviction (sockets are dropped when an object restarts).
    this.store.removeExcept(live);
    this.index = index;
    return index;
  }

  /** The live session of a socket; undefined once it has been dropped (its late frames are ignored). */
  sessionOf(ws: WebSocket): Session | undefined {
    const index = this.ensureIndex();
    const known = this.sessions.get(ws);
    if (known) return index.byConn.get(known.conn) === known ? known : undefined;
    const att = ws.deserializeAttachment() as SessionAttachment | null;
    return att ? index.byConn.get(att.conn) : undefined;
  }

  /** Removes a block: its serve and channel state, its calls (as worker and as caller), its presence. */
  drop(ws: WebSocket, code: number, reason: string): void {
    const session = this.sessionOf(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closed by the peer; nothing left to tell it.
    }
    if (!session) return;
    this.ensureIndex().remove(session);
    this.store.removeConn(session.conn);
    this.pending.workerGone(session.conn);
    this.cancelOutbound(session.conn);
    this.channels.leaveAll(session);
    if (!this.ensureIndex().uids.has(session.identity.uid)) {
      const uid = session.identity.uid;
      this.ctx.waitUntil(
        this.stubs
          .user(uid)
          .remove(session.identity.app)
          .catch(() => this.stubs.forget("user", uid)),
      );
    }
  }

  private cancelOutbound(conn: string): void {
    for (const [app, keys] of this.outbound.takeAll(conn)) {
      if (app === this.appName) this.pending.cancel(keys);
      else
        this.background(
          this.stubs
            .app(app)
            .rpcCancel(app, keys)
            .catch(() => this.stubs.forget("app", app)),
        );
    }
  }

  private toSession(ws: WebSocket, att: SessionAttachment, methods: Set<string>, channels: Set<string>): Session {
    const { ratePerSec, rateBurst, abuseLimit, abuseWindowMs } = this.config;
    const session: Session = {
      ...att,
      ws,
      worker: isWorkerKind(att.identity.kind),
      fromJson: JSON.stringify(att.identity),
      methods,
      channels,
      bucket: new TokenBucket({ ratePerSec, burst: rateBurst, abuseLimit, abuseWindowMs }),
    };
    this.sessions.set(ws, session);
    return session;
  }

  private freeResource(uid: string, kind: string): string {
    for (;;) {
      const resource = kind + randomSuffix(8);
      if (!this.ensureIndex().byKey.has(blockKey(uid, resource))) return resource;
    }
  }

  private bindApp(app: string): void {
    if (this.appName === undefined) {
      this.appName = app;
      this.store.setAppName(app);
    }
  }

  private async scheduleExpiry(exp: number): Promise<void> {
    // The alarm time is read from storage once per instance, then kept, so a connect rarely waits on it.
    this.alarmAt ??= await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= exp) return;
    this.alarmAt = exp;
    await this.ctx.storage.setAlarm(exp);
  }

  /** After a re-own, roles change: every later frame carries the new role (and JID). */
  private restampRoles(owner: string): void {
    for (const s of this.ensureIndex().byConn.values()) {
      const role = s.identity.uid === owner ? "owner" : "user";
      if (role === s.identity.role) continue;
      s.identity = makeIdentity({ ...s.identity, role }, this.config.domain);
      s.fromJson = JSON.stringify(s.identity);
      s.ws.serializeAttachment({ conn: s.conn, identity: s.identity, since: s.since, exp: s.exp } satisfies SessionAttachment);
    }
  }
}
