import { CLAIMS_HEADER, type ConnectClaims } from "../do-contracts";
import { makeIdentity } from "../identity/jid";
import { isWorkerKind, parseResource, randomSuffix } from "../identity/kinds";
import { CloseCode, ErrorCode, Quota } from "../protocol/codes";
import { welcomeFrameOf, welcomeLimits } from "../protocol/welcome";
import type { AppParts } from "./app-parts";
import { FirstFrames } from "./first-frames";
import { blockKey } from "./routing";
import type { SessionAttachment } from "./session";

/**
 * The connect handshake: takes the upgrade the edge forwarded with the verified claims, and makes the
 * block reachable and welcomed in one step.
 *
 * Everything that waits (the uid's presence, the expiry alarm) happens before the block exists
 * anywhere: if it fails, the connect is refused with 503 and nothing is left behind. Then, with no
 * await between them, a block holding the same JID is replaced, the socket is accepted and indexed,
 * and `welcome` is made its first frame, so nothing can be routed to the block before its `welcome`
 * (it leaves once the 101 has, and what is routed to the block meanwhile follows it: first-frames.ts).
 *
 * @example
 * ```ts
 * const handshake = new ConnectHandshake(ctx, parts);
 * return handshake.accept(request); // 101 with the client's end of the socket
 * ```
 */
export class ConnectHandshake {
  /** Whether this instance has told the directory about its app. */
  private listed = false;
  /** The limits every welcome states, as JSON (the configuration does not change while the object lives). */
  private limitsJson: string | undefined;
  /** Welcomes held until the runtime has taken their 101 (see first-frames.ts). */
  readonly welcomes = new FirstFrames();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly parts: AppParts,
  ) {}

  async accept(request: Request): Promise<Response> {
    this.welcomes.released(Date.now());
    const { app, blocks, stubs } = this.parts;
    const claims = JSON.parse(request.headers.get(CLAIMS_HEADER) ?? "null") as ConnectClaims | null;
    if (!claims || request.headers.get("Upgrade") !== "websocket") return new Response("bad internal request", { status: 400 });
    app.keep(claims.app);
    const kind = claims.resource ? parseResource(claims.resource)?.kind : claims.kind;
    if (!kind) return new Response("bad internal request", { status: 400 });
    // [quota maxBlocksPerUser] refused before anything is written or awaited; checked again at the accept.
    const known = claims.resource !== undefined && blocks.index.byKey.has(blockKey(claims.uid, claims.resource));
    const already = blocks.index.uids.get(claims.uid) ?? 0;
    if (!known && already >= this.parts.config.maxBlocksPerUser)
      return tooManyBlocks(already, this.parts.config.maxBlocksPerUser);
    const conn = randomSuffix(12);
    const exp = claims.exp * 1000;

    const connecting = blocks.connectingAs(claims.uid);
    try {
      // The uid's first block here tells its presence object, so that Find sees the block once welcomed.
      if (!blocks.index.uids.has(claims.uid)) await stubs.user(claims.uid).add(claims.app);
      await this.parts.expiry.add(conn, exp);
    } catch {
      connecting.done();
      stubs.forget("user", claims.uid);
      this.forget(claims);
      return Response.json(
        { error: { code: "unavailable", message: "the app could not take the connection now; try again" } },
        { status: 503 },
      );
    }
    connecting.done();
    this.list(claims.app);
    return this.welcome(conn, exp, kind, claims);
  }

  /** Replaces, accepts, indexes and welcomes: one synchronous step. */
  private welcome(conn: string, exp: number, kind: string, claims: ConnectClaims): Response {
    const { blocks, config, registry, teardown, keepalive } = this.parts;
    const resource = claims.resource ?? blocks.freeResource(claims.uid, kind);
    const role = registry.owner() === claims.uid ? "owner" : "user";
    const identity = makeIdentity({ app: claims.app, uid: claims.uid, role, resource, kind }, config.domain);
    const index = blocks.index;
    const previous = index.byKey.get(blockKey(claims.uid, resource));
    // A block that replaces another of the same JID does not add one.
    const online = index.uids.get(claims.uid) ?? 0;
    if (!previous && online >= config.maxBlocksPerUser) {
      this.forget(claims);
      return tooManyBlocks(online, config.maxBlocksPerUser);
    }
    const pair = new WebSocketPair();
    const ws = pair[1];
    const attachment: SessionAttachment = { conn, identity, since: Date.now(), exp };
    try {
      // The tag names the block to the runtime itself (getWebSockets), independent of this object's index.
      this.ctx.acceptWebSocket(ws, [`r:${claims.uid}/${resource}`]);
      ws.serializeAttachment(attachment);
      const session = blocks.add(ws, attachment, { pub: claims.pub, sub: claims.sub });
      // [XMPP resource conflict] a second connection with the same full JID replaces the first; the new
      // block is indexed first, so the uid never looks absent (its presence is not removed).
      if (previous) teardown.drop(previous.ws, CloseCode.replaced, "replaced by a new connection");
      this.limitsJson ??= JSON.stringify(welcomeLimits(config));
      // Out once the 101 has left (see first-frames.ts); anything routed to the block meanwhile follows it.
      this.welcomes.send(ws, welcomeFrameOf(identity.jid, session.fromJson, this.limitsJson));
      if (isWorkerKind(kind)) this.parts.background(keepalive.watch(session));
    } catch (err) {
      // Nothing routable may survive a failed welcome: the block goes as if it had closed.
      teardown.drop(ws, 1011, "connect failed");
      this.forget(claims);
      throw err;
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Leaves no trace of a connect that did not complete. */
  private forget(claims: ConnectClaims): void {
    const { blocks, stubs } = this.parts;
    if (blocks.holdsUid(claims.uid)) return;
    this.parts.background(
      stubs
        .user(claims.uid)
        .remove(claims.app)
        .catch(() => stubs.forget("user", claims.uid)),
    );
  }

  private list(app: string): void {
    if (this.listed) return;
    this.listed = true;
    this.parts.background(
      this.parts.stubs
        .directory()
        .touch(app)
        .catch(() => (this.listed = false)),
    );
  }
}

/** The contract's refusal before the upgrade: 429 with the JSON error body, naming the quota. */
function tooManyBlocks(online: number, max: number): Response {
  const message = `this user already has ${online} blocks online in this app (${Quota.maxBlocksPerUser} is ${max})`;
  return Response.json({ error: { code: ErrorCode.quota_exceeded, quota: Quota.maxBlocksPerUser, message } }, { status: 429 });
}
