import type { BlockDetail, LocalChannel } from "./app/admin-views";
/**
 * What the Durable Objects say to each other: the requests they pass and the RPC surface each one
 * offers. Objects and the stub cache depend on these types, never on another object's class, so no
 * object module imports another (and none imports itself back through the stubs).
 *
 * @example
 * ```ts
 * const refusals = await stubs.app("etest").rpcDirectBatch("etest", items);
 * ```
 */
import type { GrantKind, RegistryEntry } from "./app/registry";
import type { TrafficSecond } from "./app/traffic-stats";
import type { ErrorCode, Quota } from "./protocol/codes";
import type { ApiOutcome, BlockInfo, Identity } from "./protocol/frames";

/** The header in which the edge passes the verified claims of a connecting block to its app object. */
export const CLAIMS_HEADER = "x-nexus-block";

/** What the edge worker has verified about a connecting block, passed in the `x-nexus-block` header. */
export interface ConnectClaims {
  app: string;
  uid: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
  resource?: string;
  kind?: string;
  /** Channel capabilities (patterns) from the token; absent allows every channel. */
  pub?: string[];
  sub?: string[];
}

/** A refusal the target object answers instead of routing; `quota` names the quota of a `quota_exceeded`. */
export type Refusal = { code: ErrorCode; message: string; quota?: Quota };

/** A call or a Direct as the target app's object receives it (locally or by RPC). */
export interface TargetRequest {
  resource?: string;
  uid?: string;
}

/** A call as the target app's object receives it. */
export interface CallRequest extends TargetRequest {
  callKey: string;
  method: string;
  data: unknown;
  timeoutMs: number;
}

/** An API call as another app's object forwards it (in a batch: one call in flight per target app). */
export interface CallItem {
  caller: Identity;
  callerFromJson: string;
  req: CallRequest;
}

/** The outcome of a forwarded call, as the target app's object sends it back (batched per calling app). */
export interface CallResult {
  callKey: string;
  outcome: ApiOutcome;
}

/** A Direct as another app's object forwards it. */
export interface DirectItem {
  caller: Identity;
  callerFromJson: string;
  req: TargetRequest & { resource: string; data: string };
}

/** A channel message as an app object forwards it to the channel's object. */
export interface Publish {
  fromJson: string;
  data: string;
  retain: boolean;
}

/** A numbered channel message as a member app object receives it. */
export interface Delivery {
  text: string;
  seq: number;
  /** The seq of the message the channel object routed to this app before this one (see ChannelOrder); none for its first. */
  prev?: number;
}

/**
 * A numbering lease: while the publisher's app is a channel's only member, the channel object lets
 * that app's object number the channel's messages itself, up to `to`, and send them on afterwards
 * (see src/channel/lease-grant.ts and docs/protocol.md, "Numbering leases").
 */
export interface Lease {
  id: string;
  to: number;
}

/**
 * A publish batch's answer: the seqs, the publisher's own app's deliveries when it is a member (it
 * delivers them itself), and a lease when it is the only member.
 */
export interface Published {
  seqs: number[];
  local?: Delivery[];
  lease?: Lease;
}

/** What a subscriber that lost its subscription saw last: a `sub` frame's `since` and `epoch`. */
export interface Recovery {
  since: number;
  epoch?: string;
}

/**
 * A channel object's answer to a join: where the channel stands (`seq`, `epoch`), and what the new
 * subscriber gets before live messages: the missed messages when it asked to recover and could
 * (`recovered: true`), else the retained frame (`recovered` false, or absent when it did not ask).
 */
export interface ChannelJoin {
  seq: number;
  epoch: string;
  retained: string | null;
  recovered?: boolean;
  missed?: string[];
}

/** A channel object's figures (tests and the stats route): `history` is the count of messages kept. */
export interface ChannelStats {
  channel: string;
  seq: number;
  epoch: string;
  members: string[];
  retained: boolean;
  history: number;
}

/** Usage figures of one app object, for the stats route. */
export interface AppStats {
  app: string;
  connections: number;
  messagesIn: number;
  messagesPerSec: number;
  /** The last minutes, second by second (seconds without traffic left out). */
  traffic: TrafficSecond[];
}

/**
 * What an app object holds for its connections, by structure (see src/app/app-state.ts). With no
 * block online and nothing in flight every count is zero, except `rotations`: the round-robin keeps
 * its place per pool of workers, so that balancing stays fair.
 */
export interface AppState {
  /** Sockets the runtime holds for the object. */
  sockets: number;
  sessions: number;
  blockKeys: number;
  uids: number;
  workerUids: number;
  /** Channels with local subscribers. */
  localChannels: number;
  pendingCalls: number;
  pendingCallerKeys: number;
  /** Workers and calling users with calls pending, and the call deadlines queued. */
  pendingWorkers: number;
  pendingCallers: number;
  deadlines: number;
  /** Timers the object holds for call deadlines: 0 or 1. */
  timers: number;
  /** Per-user rate buckets (users online here). */
  userBuckets: number;
  /** Users with subscriptions counted against their quota, and subscriptions reserved by joins in flight. */
  subscribingUids: number;
  subscriptionsReserved: number;
  willsRows: number;
  /** Local callers with calls in flight, and those calls. */
  outboundCallers: number;
  outboundCalls: number;
  rotations: number;
  publishBatches: number;
  /** Channels whose numbering lease this app object holds. */
  channelLeases: number;
  ackBatches: number;
  directBatches: number;
  channelJoins: number;
  channelQueues: number;
  joinMarks: number;
  /** Channels whose messages the object keeps in seq order (ChannelOrder): those it has subscribers on. */
  orderChains: number;
  /** Stubs to other objects with calls in flight. */
  stubs: number;
  /** Background work in flight (presence updates, leaves, cancels). */
  background: number;
  servesRows: number;
  subsRows: number;
  expiryRows: number;
  /** Users with a rate bucket (those with a block online). */
  rateUsers: number;
  /** Users with subscriptions counted for maxSubscriptionsPerUser. */
  userSubCounts: number;
  /** Active timers of the pending calls' deadlines: 0 or 1. */
  callTimers: number;
  /** Bytes of the object's SQLite database: what it holds in storage, per connection or not. */
  storageBytes: number;
  /** The tables in it, the runtime's own (`_cf_...`) included. */
  storedTables: string[];
}

/** The RPC surface of an app object (one per app), as other objects and the edge call it. */
export interface AppRpc extends Rpc.DurableObjectBranded {
  /**
   * Calls from blocks of `callerApp`, routed in order. Answers each call's outcome when it is known at
   * once (a refusal), else null: that outcome comes later through `rpcCallResults` on `callerApp`'s object.
   */
  rpcCallBatch(app: string, callerApp: string, items: CallItem[]): (ApiOutcome | null)[];
  /** One call from a block of another app, when nothing else is in flight from its object to this app; answers its outcome. */
  rpcCall(app: string, caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome>;
  /** Outcomes of calls this app's blocks sent to another app, by call key. */
  rpcCallResults(app: string, results: CallResult[]): void;
  rpcCancel(app: string, callKeys: string[]): void;
  rpcDirectBatch(app: string, items: DirectItem[]): (Refusal | null)[];
  rpcDeliverBatch(app: string, channel: string, items: Delivery[]): number;
  /**
   * The channel object takes its numbering lease back: the app numbers nothing more under it and
   * answers, once every message it numbered has reached the channel object, the last seq it
   * numbered; null when it does not hold that lease (its object started again since).
   */
  rpcEndLease(app: string, channel: string, id: string): Promise<number | null>;
  rpcBlocks(app: string, uid: string | undefined, kind: string | undefined): BlockInfo[];
  rpcScopedBlocks(app: string, callerUid: string, kind: string | undefined): Refusal | BlockInfo[];
  adminPut(app: string, owner: string): RegistryEntry & { online: number };
  adminGrant(app: string, uid: string, kind: GrantKind): (RegistryEntry & { online: number }) | undefined;
  adminRevoke(app: string, uid: string): (RegistryEntry & { online: number }) | undefined;
  adminGet(app: string): RegistryEntry & { online: number };
  adminStats(app: string): AppStats;
  adminChannels(app: string): LocalChannel[];
  adminBlocks(app: string): BlockDetail[];
  /** What the object holds per connection, once its background work has settled. */
  adminState(app: string): Promise<AppState>;
  fetch(request: Request): Promise<Response>;
}

/** What the console shows of a channel. */
export interface ChannelPeek {
  seq: number;
  members: string[];
  retained: string | null;
}

/** The RPC surface of a channel object (one per channel). */
export interface ChannelRpc extends Rpc.DurableObjectBranded {
  /** `order` grows with every join and leave an app object sends (see ChannelState.leave). */
  join(channel: string, app: string, order?: number, recovery?: Recovery): ChannelJoin | Promise<ChannelJoin>;
  /** Where the channel stands, without joining (for a `sub` of a connection already subscribed). */
  position(channel: string): { seq: number; epoch: string } | Promise<{ seq: number; epoch: string }>;
  leave(channel: string, app: string, order?: number): void | Promise<void>;
  /** Publishes one message; answers its seq once it is stored. */
  publish(channel: string, fromJson: string, data: string, retain: boolean): Promise<number>;
  /** Numbers and hands out messages at once; they are stored within a flush interval (`durable` says when). */
  publishBatch(channel: string, items: Publish[], from?: string): Published | Promise<Published>;
  /**
   * Messages the lease holder numbered, `first` and on, in order; answers the lease's `to`, raised
   * as far as the channel's durable ceiling allows. Throws when that lease has ended.
   */
  appendLeased(channel: string, app: string, id: string, first: number, items: Publish[]): number;
  /** The holder gives its lease back; `last` is the last seq it numbered (all of them appended before). */
  releaseLease(channel: string, app: string, id: string, last: number): void;
  /** Resolves once the message `seq` is stored: what a publish's `ack` waits for. */
  durable(channel: string, seq: number, lowest?: number): Promise<void> | undefined;
  /** Stores what waits and lowers the ceiling to the seq (a clean stop: a fresh object goes on with no skip). */
  settle(channel: string): Promise<void>;
  stats(channel: string): ChannelStats | Promise<ChannelStats>;
  /** For the console: the seq, the member apps and the retained frame (as sent to subscribers). */
  adminPeek(channel: string): ChannelPeek | Promise<ChannelPeek>;
}

/** The RPC surface of a uid's presence object: the apps in which the uid has blocks online. */
export interface UserPresenceRpc extends Rpc.DurableObjectBranded {
  add(app: string): void;
  remove(app: string): void;
  apps(): string[];
}

/** The RPC surface of the directory object: every app this deployment knows. */
export interface DirectoryRpc extends Rpc.DurableObjectBranded {
  touch(app: string): void;
  /** Whether the app is listed (registered, or a block of it connected): see src/app/known-apps.ts. */
  has(app: string): boolean;
  list(): string[];
}
