import { CLAIMS_HEADER, type ConnectClaims } from "../do-contracts";
import { makeIdentity } from "../identity/jid";
import { parseResource, randomSuffix } from "../identity/kinds";
import { CloseCode, ErrorCode, Quota } from "../protocol/codes";
import { welcomeFrame, welcomeLimits } from "../protocol/welcome";
import type { AppParts } from "./app-parts";
import { blockKey } from "./routing";
import { send } from "./send";
import type { SessionAttachment } from "./session";

/**
 * The connect handshake: takes the upgrade the edge forwarded with the verified claims, replaces a
 * block already holding the same JID, accepts the hibernatable socket, and sends `welcome`.
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

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly parts: AppParts,
  ) {}

  async accept(request: Request): Promise<Response> {
    const { app, blocks, config, registry, stubs, teardown } = this.parts;
    const claims = JSON.parse(request.headers.get(CLAIMS_HEADER) ?? "null") as ConnectClaims | null;
    if (!claims || request.headers.get("Upgrade") !== "websocket") return new Response("bad internal request", { status: 400 });
    app.keep(claims.app);
    const kind = claims.resource ? parseResource(claims.resource)?.kind : claims.kind;
    if (!kind) return new Response("bad internal request", { status: 400 });
    const resource = claims.resource ?? blocks.freeResource(claims.uid, kind);
    const role = registry.owner() === claims.uid ? "owner" : "user";
    const identity = makeIdentity({ app: claims.app, uid: claims.uid, role, resource, kind }, config.domain);

    // [XMPP resource conflict] a second connection with the same full JID replaces the first. From this
    // check to the index holding the new block nothing awaits, so two connects cannot both keep a JID.
    const index = blocks.index;
    const previous = index.byKey.get(blockKey(claims.uid, resource));
    // A block that replaces another of the same JID does not add one.
    const online = index.uids.get(claims.uid) ?? 0;
    if (!previous && online >= config.maxBlocksPerUser) return tooManyBlocks(online, config.maxBlocksPerUser);
    if (previous) teardown.drop(previous.ws, CloseCode.replaced, "replaced by a new connection");
    const pair = new WebSocketPair();
    const ws = pair[1];
    const attachment: SessionAttachment = { conn: randomSuffix(12), identity, since: Date.now(), exp: claims.exp * 1000 };
    // Tags name the block to the runtime itself (getWebSockets), independent of this object's index.
    this.ctx.acceptWebSocket(ws, [`r:${claims.uid}/${resource}`, `u:${claims.uid}`]);
    ws.serializeAttachment(attachment);
    blocks.add(ws, attachment);
    const expiry = this.parts.expiry.add(attachment.conn, attachment.exp);

    // The uid's first block here tells its presence object (after any "remove" a replaced block sent,
    // on the same stub, so in order), before welcome, so that Find sees the block once it is welcomed.
    if (index.uids.get(claims.uid) === 1) await stubs.user(claims.uid).add(claims.app);
    if (!this.listed) {
      this.listed = true;
      this.parts.background(
        stubs
          .directory()
          .touch(claims.app)
          .catch(() => (this.listed = false)),
      );
    }
    await expiry;
    send(ws, welcomeFrame(identity, welcomeLimits(config)));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}

/** The contract's refusal before the upgrade: 429 with the JSON error body, naming the quota. */
function tooManyBlocks(online: number, max: number): Response {
  const message = `this user already has ${online} blocks online in this app (${Quota.maxBlocksPerUser} is ${max})`;
  return Response.json({ error: { code: ErrorCode.quota_exceeded, quota: Quota.maxBlocksPerUser, message } }, { status: 429 });
}
