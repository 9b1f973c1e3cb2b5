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
import { ErrorCode } from "../protocol/codes";
import type { ApiOutcome, BlockInfo, Identity } from "../protocol/frames";
import { type BlockDetail, blockDetails, type LocalChannel, localChannels } from "./admin-views";
import type { AppParts } from "./app-parts";
import { appState } from "./app-state";
import type { GrantKind, RegistryEntry } from "./registry";
import { unknownApp } from "./routing";

type Surface = Omit<AppRpc, "fetch" | keyof Rpc.DurableObjectBranded>;

/**
 * What other objects and the edge may ask of an app object: calls, Directs and channel deliveries
 * from other apps, Find, and the registry's admin operations. Each entry first binds the object to
 * its app's name (objects are addressed by name but are not told it).
 *
 * @example
 * ```ts
 * const rpc = new AppRpcSurface(parts, () => ctx.getWebSockets().length);
 * rpc.rpcBlocks("etest", uid, undefined);
 * ```
 */
export class AppRpcSurface implements Surface {
  constructor(
    private readonly parts: AppParts,
    private readonly socketCount: () => number,
  ) {}

  /**
   * API calls from blocks of another app, routed in the order sent. A call refused at once is
   * answered here; the others' outcomes go back to the caller's object when they settle, batched
   * per calling app, so that a slow call never holds up the ones behind it.
   */
  /** An API call from a block of another app, alone (nothing else in flight from its object to this app). */
  rpcCall(app: string, caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    this.parts.app.bind(app);
    return this.parts.calls.routeCall(caller, callerFromJson, req);
  }

  rpcCallBatch(app: string, callerApp: string, items: CallItem[]): (ApiOutcome | null)[] {
    this.parts.app.bind(app);
    const { calls, callResults, stubs, background } = this.parts;
    return items.map((c) => {
      const routed = calls.routeCallNow(c.caller, c.callerFromJson, c.req);
      if (!(routed instanceof Promise)) return routed;
      const callKey = c.req.callKey;
      background(
        routed.then((outcome) => callResults.push(callerApp, { callKey, outcome })).catch(() => stubs.forget("app", callerApp)),
      );
      return null;
    });
  }

  /** Outcomes of calls that this app's blocks sent to another app. */
  rpcCallResults(app: string, results: CallResult[]): void {
    this.parts.app.bind(app);
    for (const r of results) this.parts.remote.settle(r.callKey, r.outcome);
  }

  /** Drops calls whose caller (at another app's object) went away. */
  rpcCancel(app: string, callKeys: string[]): void {
    this.parts.app.bind(app);
    this.parts.calls.pending.cancel(callKeys);
  }

  /** Directs from blocks of another app, in order; answers each one's refusal, or null when delivered. */
  rpcDirectBatch(app: string, items: DirectItem[]): (Refusal | null)[] {
    this.parts.app.bind(app);
    return items.map((d) => this.parts.calls.routeDirect(d.caller, d.callerFromJson, d.req));
  }

  /** Channel messages for this app's subscribers; answers how many local subscribers got them. */
  rpcDeliverBatch(app: string, channel: string, items: Delivery[]): number {
    this.parts.app.bind(app);
    let delivered = 0;
    for (const m of items) delivered = this.parts.channels.deliver(channel, m);
    return delivered;
  }

  rpcEndLease(app: string, channel: string, id: string): Promise<number | null> {
    this.parts.app.bind(app);
    return this.parts.leases.end(channel, id);
  }

  /** The online blocks of a uid (optionally of one kind), for Find. */
  rpcBlocks(app: string, uid: string | undefined, kind: string | undefined): BlockInfo[] {
    this.parts.app.bind(app);
    return this.parts.blocks.list(uid, kind);
  }

  /** Find with scope "app": every online block, for the app's owner only. */
  rpcScopedBlocks(app: string, callerUid: string, kind: string | undefined): Refusal | BlockInfo[] {
    this.parts.app.bind(app);
    const owner = this.parts.registry.owner();
    if (owner === undefined) return unknownApp(app);
    if (owner !== callerUid) return { code: ErrorCode.forbidden, message: 'scope "app" is for the app\'s owner' };
    return this.parts.blocks.list(undefined, kind);
  }

  adminPut(app: string, owner: string): RegistryEntry & { online: number } {
    this.parts.app.keep(app);
    const previous = this.parts.registry.owner();
    this.parts.registry.setOwner(owner);
    if (previous !== owner) this.parts.blocks.restampRoles(owner);
    return this.adminGet(app);
  }

  adminGrant(app: string, uid: string, kind: GrantKind): (RegistryEntry & { online: number }) | undefined {
    this.parts.app.bind(app);
    if (this.parts.registry.owner() === undefined) return undefined;
    this.parts.registry.grant(uid, kind);
    return this.adminGet(app);
  }

  adminRevoke(app: string, uid: string): (RegistryEntry & { online: number }) | undefined {
    this.parts.app.bind(app);
    if (this.parts.registry.owner() === undefined) return undefined;
    this.parts.registry.revoke(uid);
    return this.adminGet(app);
  }

  adminGet(app: string): RegistryEntry & { online: number } {
    this.parts.app.bind(app);
    const { registry } = this.parts;
    return { app, owner: registry.owner(), grants: registry.grants(), online: this.socketCount() };
  }

  /** Per-connection state, counted once the background work in flight (and what it started) has settled. */
  async adminState(app: string): Promise<AppState> {
    this.parts.app.bind(app);
    await this.parts.work.settled();
    return appState(this.parts, this.socketCount());
  }

  adminStats(app: string): AppStats {
    this.parts.app.bind(app);
    const { meter } = this.parts;
    return {
      app,
      connections: this.socketCount(),
      messagesIn: meter.total,
      messagesPerSec: meter.perSecond(),
      traffic: this.parts.blocks.traffic.seconds(),
    };
  }

  adminChannels(app: string): LocalChannel[] {
    this.parts.app.bind(app);
    return localChannels(this.parts.blocks.index);
  }

  adminBlocks(app: string): BlockDetail[] {
    this.parts.app.bind(app);
    return blockDetails(this.parts.blocks.index);
  }
}
