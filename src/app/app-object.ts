import { DurableObject } from "cloudflare:workers";
import type {
  AppRpc,
  AppState,
  AppStats,
  CallItem,
  CallRequest,
  CallResult,
  Delivery,
  DirectItem,
  Refusal,
} from "../do-contracts";
import { CloseCode } from "../protocol/codes";
import type { ApiOutcome, BlockInfo, Identity } from "../protocol/frames";
import type { BlockDetail, LocalChannel } from "./admin-views";
import { type AppParts, makeAppParts } from "./app-parts";
import { ConnectHandshake } from "./connect-handshake";
import { type FrameContext, frameContext } from "./frame-context";
import { handleFrame } from "./frame-handlers";
import type { GrantKind, RegistryEntry } from "./registry";
import { AppRpcSurface } from "./rpc-surface";
import type { SessionAttachment } from "./session";

/**
 * One per app: holds its blocks' hibernatable WebSockets, its registry entry and the pending API
 * calls to its workers. The class only wires the runtime's hooks to its parts: the handshake
 * (connect-handshake.ts), the frame handlers (frame-handlers.ts), call routing (call-routing.ts),
 * the expiry alarm (expiry-alarm.ts) and the RPC surface (rpc-surface.ts).
 */
export class AppObject extends DurableObject<Env> implements AppRpc {
  private readonly parts: AppParts;
  private readonly handshake: ConnectHandshake;
  private readonly frames: FrameContext;
  private readonly rpc: AppRpcSurface;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.parts = makeAppParts(ctx, env);
    this.handshake = new ConnectHandshake(ctx, this.parts);
    this.rpc = new AppRpcSurface(this.parts, () => ctx.getWebSockets().length);
    this.frames = frameContext(this.parts, this.rpc);
    // Keepalive costs nothing: the runtime answers without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"t":"ping"}', '{"t":"pong"}'));
  }

  /** The WebSocket upgrade, forwarded by the edge after it verified the token. */
  override fetch(request: Request): Promise<Response> {
    return this.handshake.accept(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.handshake.welcomes.released(Date.now());
    const session = this.parts.blocks.sessionOf(ws);
    if (!session) return;
    const now = Date.now();
    this.parts.meter.mark(now);
    if (session.worker) this.parts.keepalive.heard(session, now);
    this.parts.blocks.traffic.received(now);
    if (session.exp <= now) {
      this.parts.teardown.drop(ws, CloseCode.tokenExpired, "token expired");
      return;
    }
    await handleFrame(this.frames, session, message, now);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.parts.teardown.drop(ws, code === 1005 || code === 1006 ? CloseCode.normal : code, "closed");
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.parts.teardown.drop(ws, CloseCode.goingAway, "socket error");
  }

  /** Closes sockets whose token expired (4001) and workers gone silent (4002), then waits for the next deadline. */
  override async alarm(): Promise<void> {
    const { blocks, clock, expiry, keepalive, teardown } = this.parts;
    const now = Date.now();
    const expired = expiry.due(now);
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as SessionAttachment | null;
      if (att && expired.has(att.conn)) teardown.drop(ws, CloseCode.tokenExpired, "token expired");
    }
    const { silent, next } = keepalive.sweep(blocks.workers(), now);
    for (const s of silent) teardown.drop(s.ws, CloseCode.missedKeepalive, "missed keepalive");
    await clock.next([expiry.next(now), next]);
  }

  // The RPC surface (rpc-surface.ts): methods must sit on the class for the runtime to expose them.

  rpcCall(app: string, caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    return this.rpc.rpcCall(app, caller, callerFromJson, req);
  }

  rpcCallBatch(app: string, callerApp: string, items: CallItem[]): (ApiOutcome | null)[] {
    return this.rpc.rpcCallBatch(app, callerApp, items);
  }

  rpcCallResults(app: string, results: CallResult[]): void {
    this.rpc.rpcCallResults(app, results);
  }

  rpcCancel(app: string, callKeys: string[]): void {
    this.rpc.rpcCancel(app, callKeys);
  }

  rpcDirectBatch(app: string, items: DirectItem[]): (Refusal | null)[] {
    return this.rpc.rpcDirectBatch(app, items);
  }

  rpcDeliverBatch(app: string, channel: string, items: Delivery[]): number {
    return this.rpc.rpcDeliverBatch(app, channel, items);
  }

  rpcEndLease(app: string, channel: string, id: string): Promise<number | null> {
    return this.rpc.rpcEndLease(app, channel, id);
  }

  rpcBlocks(app: string, uid: string | undefined, kind: string | undefined): BlockInfo[] {
    return this.rpc.rpcBlocks(app, uid, kind);
  }

  rpcScopedBlocks(app: string, callerUid: string, kind: string | undefined): Refusal | BlockInfo[] {
    return this.rpc.rpcScopedBlocks(app, callerUid, kind);
  }

  adminPut(app: string, owner: string): RegistryEntry & { online: number } {
    return this.rpc.adminPut(app, owner);
  }

  adminGrant(app: string, uid: string, kind: GrantKind): (RegistryEntry & { online: number }) | undefined {
    return this.rpc.adminGrant(app, uid, kind);
  }

  adminRevoke(app: string, uid: string): (RegistryEntry & { online: number }) | undefined {
    return this.rpc.adminRevoke(app, uid);
  }

  adminGet(app: string): RegistryEntry & { online: number } {
    return this.rpc.adminGet(app);
  }

  adminStats(app: string): AppStats {
    return this.rpc.adminStats(app);
  }

  adminChannels(app: string): LocalChannel[] {
    return this.rpc.adminChannels(app);
  }

  adminBlocks(app: string): BlockDetail[] {
    return this.rpc.adminBlocks(app);
  }

  adminState(app: string): Promise<AppState> {
    return this.rpc.adminState(app);
  }
}
