import { KeyedBatcher } from "../batcher";
import { type NexusConfig, readConfig } from "../config";
import type { DirectItem, Publish, Refusal } from "../do-contracts";
import { StubCache } from "../stubs";
import { AlarmClock } from "./alarm-clock";
import { AppBlocks } from "./app-blocks";
import { AppChannels } from "./app-channels";
import { BackgroundWork } from "./background-work";
import { BlockTeardown } from "./block-teardown";
import { BoundApp } from "./bound-app";
import { CallRouting } from "./call-routing";
import { ExpiryAlarm } from "./expiry-alarm";
import { WorkerKeepalive } from "./keepalive";
import { LastWills } from "./last-will";
import { OutboundCalls } from "./outbound-calls";
import { RateMeter } from "./rate-meter";
import { Registry } from "./registry";
import { SqlRotationStore } from "./round-robin";
import { SessionStore } from "./session-store";

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
  /** Per channel: one publish call in flight; what arrives meanwhile goes in the next (order kept). */
  publishes: KeyedBatcher<Publish, number>;
  /** Per other app: one Direct call in flight; what arrives meanwhile goes in the next (order kept). */
  directs: KeyedBatcher<DirectItem, Refusal | null>;
  teardown: BlockTeardown;
  /** The object's one alarm, for the nearest of the deadlines below. */
  clock: AlarmClock;
  expiry: ExpiryAlarm;
  keepalive: WorkerKeepalive;
  /** Work that must finish even though no frame waits for it (leaves, presence, cancels). */
  background(work: Promise<unknown>): void;
  /** That work, counted while in flight. */
  work: BackgroundWork;
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
  const store = new SessionStore(ctx.storage.sql);
  const app = new BoundApp(store);
  const registry = new Registry(ctx.storage.sql);
  const clock = new AlarmClock(ctx.storage);
  const keepalive = new WorkerKeepalive(ctx, clock, config.pingIntervalMs);
  const stubs = new StubCache(env);
  const work = new BackgroundWork((p) => ctx.waitUntil(p));
  const background = (p: Promise<unknown>): void => work.run(p);
  const publishes = new KeyedBatcher<Publish, number>((channel, items) => stubs.channel(channel).publishBatch(channel, items));
  const wills = new LastWills(ctx.storage.sql, (will) =>
    background(
      publishes
        .push(will.channel, { fromJson: will.fromJson, data: will.data, retain: will.retain })
        .catch(() => stubs.forget("channel", will.channel)),
    ),
  );
  const blocks = new AppBlocks(ctx, store, config, wills, (att, now) => keepalive.heardAfterWake(att, now));
  const calls = new CallRouting(app, registry, blocks, new SqlRotationStore(ctx.storage.sql));
  const channels = new AppChannels({ app, blocks, store, stubs, background });
  const outbound = new OutboundCalls();
  const teardown = new BlockTeardown({ app, blocks, store, wills, calls, outbound, channels, stubs, background });
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
    publishes,
    directs: new KeyedBatcher((target, items) => stubs.app(target).rpcDirectBatch(target, items)),
    teardown,
    clock,
    expiry: new ExpiryAlarm(clock, store),
    keepalive,
    background,
    work,
  };
}
