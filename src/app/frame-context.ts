import type { KeyedBatcher } from "../batcher";
import type { NexusConfig } from "../config";
import type { CallItem, CallRequest, DirectItem, Recovery, Refusal, TargetRequest } from "../do-contracts";
import type { ApiOutcome, BlockInfo, Identity } from "../protocol/frames";
import type { StubCache } from "../stubs";
import type { Joined } from "./app-channels";
import type { AppParts } from "./app-parts";
import type { FrameGate } from "./frame-gate";
import type { OutboundCalls } from "./outbound-calls";
import type { ChannelPublisher } from "./publish-leases";
import type { RemoteCalls } from "./remote-calls";
import type { AppRpcSurface } from "./rpc-surface";
import type { Session } from "./session";
import type { TrafficStats } from "./traffic-stats";

/**
 * What the frame handlers may do with their app object: this much, and nothing of its internals.
 */
export interface FrameContext {
  readonly config: NexusConfig;
  /** The app this object serves. */
  appName(): string | undefined;
  readonly stubs: StubCache;
  /** Whether the deployment knows an app name (synchronously when cached): see known-apps.ts. */
  knownApp(app: string): boolean | Promise<boolean>;
  readonly outbound: OutboundCalls;
  /** The object's traffic figures (calls and their latency are counted where they finish). */
  readonly traffic: TrafficStats;
  readonly publishes: ChannelPublisher;
  /** Waits for a publish's seq to be stored: undefined once it is, else the error. */
  readonly acks: KeyedBatcher<number, unknown>;
  /** undefined: a publish to `channel` goes at once; else the turn it waits for (see publish-starts.ts). */
  publishTurn(uid: string, channel: string): Promise<Refusal | undefined> | undefined;
  readonly directs: KeyedBatcher<DirectItem, Refusal | null>;
  readonly callsOut: KeyedBatcher<CallItem, ApiOutcome | null>;
  readonly remote: RemoteCalls;
  readonly gate: FrameGate;
  /** Sends a frame to a block, through the slow-consumer bound. */
  send(to: Session, text: string): boolean;
  /** A frame arrived from the block: it is alive (the slow-consumer bound starts again). */
  heard(from: Session): void;
  /** Parks `bytes` of retained value on `channel` for this app (0 clears): an undo, or the quota's refusal. */
  retain(channel: string, bytes: number): Refusal | (() => void);
  routeCall(caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome>;
  routeDirect(caller: Identity, callerFromJson: string, req: TargetRequest & { resource: string; data: string }): Refusal | null;
  /** A worker's answer to one of the calls sent to it. */
  answer(rid: string, worker: Session, outcome: ApiOutcome): void;
  /** Replaces what a worker serves. */
  serve(worker: Session, methods: string[]): void;
  subscribe(session: Session, channel: string, recovery?: Recovery): Promise<Joined>;
  unsubscribe(session: Session, channel: string): Promise<void>;
  drop(ws: WebSocket, code: number, reason: string): void;
  /** Sets (or with undefined clears) the block's last will. */
  setWill(session: Session, will: { channel: string; data: string; retain: boolean } | undefined): void;
  blocks(uid: string | undefined, kind: string | undefined): BlockInfo[];
  scopedBlocks(app: string, callerUid: string, kind: string | undefined): Refusal | BlockInfo[];
}

/**
 * The frame handlers' view of an app object, over its parts.
 *
 * @example
 * ```ts
 * const frames = frameContext(parts, rpc);
 * await handleFrame(frames, session, message, Date.now());
 * ```
 */
export function frameContext(parts: AppParts, rpc: AppRpcSurface): FrameContext {
  const { calls, channels, blocks, store, teardown } = parts;
  return {
    config: parts.config,
    appName: () => parts.app.name,
    stubs: parts.stubs,
    knownApp: (name) => parts.knownApps.has(name),
    outbound: parts.outbound,
    traffic: blocks.traffic,
    publishes: parts.publishes,
    acks: parts.acks,
    publishTurn: (uid, channel) => parts.pubStarts.admit(uid, channel),
    directs: parts.directs,
    callsOut: parts.callsOut,
    remote: parts.remote,
    gate: parts.gate,
    send: (to, text) => parts.consumers.send(to, text),
    heard: (from) => parts.consumers.heard(from),
    retain: (channel, bytes) => parts.retained.reserve(channel, bytes),
    routeCall: (caller, callerFromJson, req) => calls.routeCall(caller, callerFromJson, req),
    routeDirect: (caller, callerFromJson, req) => calls.routeDirect(caller, callerFromJson, req),
    answer: (rid, worker, outcome) => void calls.pending.answer(rid, worker.conn, outcome),
    serve: (worker, methods) => {
      worker.methods = new Set(methods);
      store.setServes(worker.conn, worker.methods);
    },
    subscribe: (session, channel, recovery) => channels.subscribe(session, channel, recovery),
    unsubscribe: (session, channel) => channels.unsubscribe(session, channel),
    drop: (ws, code, reason) => teardown.drop(ws, code, reason),
    setWill: (session, will) => {
      if (will) parts.wills.set(session.conn, { ...will, fromJson: session.fromJson });
      else parts.wills.clear(session.conn);
    },
    blocks: (uid, kind) => blocks.list(uid, kind),
    scopedBlocks: (app, callerUid, kind) => rpc.rpcScopedBlocks(app, callerUid, kind),
  };
}
