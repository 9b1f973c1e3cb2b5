import { KeyedBatcher } from "../batcher";
import { type NexusConfig, readConfig } from "../config";
import type { CallItem, CallResult, DirectItem, Publish, Refusal } from "../do-contracts";
import { CloseCode } from "../protocol/codes";
import type { ApiOutcome } from "../protocol/frames";
import { deferSchema } from "../storage/deferred-schema";
import { StubCache } from "../stubs";
import { AlarmClock } from "./alarm-clock";
import { AppBlocks } from "./app-blocks";
import { AppChannels } from "./app-channels";
import { BackgroundWork } from "./background-work";
import { BlockTeardown } from "./block-teardown";
import { BoundApp } from "./bound-app";
import { CallRouting } from "./call-routing";
import { ExpiryAlarm } from "./expiry-alarm";
import { FrameGate } from "./frame-gate";
import { WorkerKeepalive } from "./keepalive";
import { KnownApps } from "./known-apps";
import { LastWills } from "./last-will";
import { ObjectStarts } from "./object-starts";
import { OutboundCalls } from "./outbound-calls";
import { type ChannelPublisher, PublishLeases } from "./publish-leases";
import { PublishStarts } from "./publish-starts";
import { RateMeter } from "./rate-meter";
import { Registry } from "./registry";
import { RemoteCalls } from "./remote-calls";
import { RetainedBytes } from "./retained-bytes";
import { SqlRotationStore } from "./round-robin";
import type { Session } from "./session";
import { SessionStore } from "./session-store";
import { SlowConsumerGuard } from "./slow-consumer";

/**
 * The pieces an app object is made of, each a single concept; the object's hooks, the handshake,
 * the frame handlers and the RPC surface are written against them (or narrower views of them).
 */
export interface AppParts {
  config: NexusConfig;
  app: BoundApp;
  registry: Registry;
  store: SessionStore;
  /** Each connection's last will, published when the connection ends. */
  wills: LastWills;
  blocks: AppBlocks;
  calls: CallRouting;
  channels: AppChannels;
  /** Calls each local caller has in flight, for cancelling them when it leaves. */
  outbound: OutboundCalls;
  meter: RateMeter;
  stubs: StubCache;
  /** The app names the deployment knows: others are answered `not_found` before any object is started for them. */
  knownApps: KnownApps;
  /** Paces the first publishes to channels the app object has not touched recently (each starts or wakes a channel object). */
  pubStarts: PublishStarts;
  /** Per channel: under its numbering lease when held, else one publish call in flight and what arrives meanwhile in the next (order kept). */
  publishes: ChannelPublisher;
  /** The channels' numbering leases this app holds (see publish-leases.ts). */
  leases: PublishLeases;
  /** Per channel: one `durable` call in flight for the acks of its publishes; the seqs that wait meanwhile share the next (an error, or undefined once stored). */
  acks: KeyedBatcher<number, unknown>;
  /** Per other app: one Direct call in flight; what arrives meanwhile goes in the next (order kept). */
  directs: KeyedBatcher<DirectItem, Refusal | null>;
  /** Per other app: one batch of API calls in flight; what arrives meanwhile goes in the next (order kept). */
  callsOut: KeyedBatcher<CallItem, ApiOutcome | null>;
  /** Per calling app: one batch of call outcomes in flight back to it. */
  callResults: KeyedBatcher<CallResult, undefined>;
  /** Calls of local blocks waiting at other apps' objects for their outcome. */
  remote: RemoteCalls;
  teardown: BlockTeardown;
  /** The object's one alarm, for the nearest of the deadlines below. */
  clock: AlarmClock;
  expiry: ExpiryAlarm;
  keepalive: WorkerKeepalive;
  /** The rate limits of users and of the app, applied with each connection's own before parsing. */
  gate: FrameGate;
  /** Every frame to a block goes through it: the slow-consumer bound. */
  consumers: SlowConsumerGuard;
  /** Bytes of retained values this app parked on channels (maxRetainedBytesPerApp). */
  retained: RetainedBytes;
  /** Work that must finish even though no frame waits for it (leaves, presence, cancels). */
  background(work: Promise<unknown>): void;
  /** That work, counted while in flight. */
  work: BackgroundWork;
  /** Bytes of the object's SQLite database, and the tables in it (for the stats route). */
  storageBytes(): number;
  storedTables(): string[];
}

/**
 * Builds an app object's parts over its state (storage, sockets) and bindings.
 *
 * @example
 * ```ts
 * const parts = makeAppParts(ctx, env);
 * parts.blocks.sessionOf(ws);
 * ```
 */
export function makeAppParts(ctx: DurableObjectState, env: Env): AppParts {
  const config = readConfig(env);
  // Nothing is written for an app nobody registered until a block of it connects (see deferred-schema.ts).
  const sql = deferSchema(ctx.storage.sql);
  const store = new SessionStore(sql);
  const app = new BoundApp(store);
  const registry = new Registry(sql);
  const clock = new AlarmClock(ctx.storage);
  const keepalive = new WorkerKeepalive(ctx, clock, config.pingIntervalMs);
  const stubs = new StubCache(env);
  const work = new BackgroundWork((p) => ctx.waitUntil(p));
  const background = (p: Promise<unknown>): void => work.run(p);
  // Set below: the publish answers carry the app's own deliveries, which its channels part hands on.
  let channels: AppChannels | undefined;
  const leases = new PublishLeases({
    app: () => app.name ?? "",
    stubs,
    deliver: (channel, d) => channels?.deliver(channel, d),
    background,
    maxBatchBytes: config.maxBatchBytes,
    maxQueuedBytes: config.maxQueuedBytes,
  });
  const batch: KeyedBatcher<Publish, number> = new KeyedBatcher<Publish, number>(
    async (channel, items) => {
      // What this app numbered under a lease that is ending goes first: one publisher's order holds.
      await leases.settled(channel);
      const answer = await stubs.channel(channel).publishBatch(channel, items, app.name);
      for (const d of answer.local ?? []) channels?.deliver(channel, d);
      if (answer.lease) {
        const last = answer.seqs[answer.seqs.length - 1] ?? 0;
        leases.grant(
          channel,
          answer.lease,
          last,
          () => batch.takeQueued(channel),
          (p) => batch.push(channel, p),
        );
      }
      return answer.seqs;
    },
    {
      // A publish no longer waits on a storage commit (the channel flushes later), so the call returns
      // sooner than the next frames are handled and a batch held about 2 publishes. With one turn of
      // the event loop before the next call whenever one or more wait, it holds about 4: 1 to 1
      // deliveries/s 0.16-0.20x -> 0.27-0.30x the echo (bench, back to back). A lone publisher
      // waiting on nothing still goes at once, so publish-to-delivery p50 is unchanged.
      pauseFrom: 1,
      maxBatchBytes: config.maxBatchBytes,
      maxQueuedBytes: config.maxQueuedBytes,
      sizeOf: (p) => p.data.length + p.fromJson.length,
    },
  );
  const publishes: ChannelPublisher = {
    push: (channel, item, acked = false) => leases.take(channel, item, acked) ?? batch.push(channel, item),
    get size() {
      return batch.size;
    },
  };
  // An ack waits for the channel's flush; the acks that wait meanwhile share one call (a flush stores
  // every seq numbered so far), not one call per acknowledged publish.
  const acks = new KeyedBatcher<number, unknown>(
    async (channel, seqs) => {
      const stub = stubs.channel(channel);
      try {
        await stub.durable(channel, Math.max(...seqs), Math.min(...seqs));
        return seqs.map(() => undefined);
      } catch {
        // One of them was lost in a restart (or the call failed): each is asked alone, so the stored ones are still acknowledged.
        return Promise.all(
          seqs.map((seq) =>
            Promise.resolve(stub.durable(channel, seq)).then(
              () => undefined,
              (err: unknown) => err,
            ),
          ),
        );
      }
    },
    { pause: null },
  );
  const wills = new LastWills(sql, (will) =>
    background(
      publishes
        .push(will.channel, { fromJson: will.fromJson, data: will.data, retain: will.retain })
        .catch(() => stubs.forget("channel", will.channel)),
    ),
  );
  const blocks = new AppBlocks(ctx, store, config, wills, (att, now) => keepalive.heardAfterWake(att, now));
  const gate = new FrameGate(config);
  // The teardown needs the parts that send, and they need the guard: it reaches the teardown late.
  let teardown: BlockTeardown | undefined;
  const consumers = new SlowConsumerGuard(
    config.maxOutboundBytes,
    (ws) => ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime(),
    (ws) => slowConsumer(ws, () => teardown),
  );
  const sendTo = (s: Session, text: string): boolean => consumers.send(s, text);
  const calls = new CallRouting(app, registry, blocks, config, sendTo, new SqlRotationStore(sql));
  const starts = new ObjectStarts(config);
  channels = new AppChannels({ app, blocks, store, stubs, limits: config, starts, send: sendTo, background });
  const outbound = new OutboundCalls();
  const remote = new RemoteCalls();
  teardown = new BlockTeardown({ app, blocks, store, wills, calls, outbound, remote, channels, stubs, gate, background });
  return {
    config,
    app,
    registry,
    store,
    wills,
    blocks,
    calls,
    channels,
    outbound,
    meter: new RateMeter(),
    stubs,
    knownApps: new KnownApps((name) => stubs.directory().has(name)),
    pubStarts: new PublishStarts(config, (channel) => blocks.index.channels.has(channel)),
    publishes,
    leases,
    acks,
    directs: new KeyedBatcher((target, items) => stubs.app(target).rpcDirectBatch(target, items), {
      maxBatchBytes: config.maxBatchBytes,
      maxQueuedBytes: config.maxQueuedBytes,
      sizeOf: (d) => d.req.data.length + d.callerFromJson.length,
    }),
    callsOut: new KeyedBatcher((target, items) => stubs.app(target).rpcCallBatch(target, app.name ?? "", items), {
      maxBatchBytes: config.maxBatchBytes,
      maxQueuedBytes: config.maxQueuedBytes,
      sizeOf: (c) => callBytes(c.req.data) + c.callerFromJson.length,
    }),
    callResults: new KeyedBatcher(
      async (callerApp, items) => {
        await stubs.app(callerApp).rpcCallResults(callerApp, items);
        return items.map(() => undefined);
      },
      // Outcomes are never refused (the caller would wait for nothing); only one call's size is bounded.
      { maxBatchBytes: config.maxBatchBytes, sizeOf: (r) => (r.outcome.ok ? callBytes(r.outcome.data) : 256) },
    ),
    remote,
    teardown,
    clock,
    expiry: new ExpiryAlarm(clock, () => blocks.index.byConn.values()),
    keepalive,
    gate,
    consumers,
    retained: new RetainedBytes(sql, config.maxRetainedBytesPerApp),
    background,
    work,
    storageBytes: () => ctx.storage.sql.databaseSize,
    storedTables: () =>
      ctx.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .toArray()
        .map((r) => r.name),
  };
}

/** About the bytes a JSON value takes in a batch (the frame's own text is gone by then). */
function callBytes(data: unknown): number {
  return typeof data === "string" ? data.length + 2 : JSON.stringify(data ?? null).length;
}

/**
 * Closes a block that does not read what it is sent, with 4013 at once (so nothing more is queued
 * for it), and removes it right after the send that found it out has returned.
 */
function slowConsumer(ws: WebSocket, teardown: () => BlockTeardown | undefined): void {
  const reason = "slow consumer: it does not read what it is sent";
  try {
    ws.close(CloseCode.slowConsumer, reason);
  } catch {
    // Already closing.
  }
  queueMicrotask(() => teardown()?.drop(ws, CloseCode.slowConsumer, reason));
}
