import { QUOTAS } from "./calibration";
import { Cpu, Obj, type ObjKind, type Sim } from "./engine";
import type { Members } from "./flows";
import { type Builder, type ExtraCheck, poisson } from "./measure";

/** `n` objects, each on its own thread (production: objects are spread over machines). */
function many(sim: Sim, n: number, prefix: string, kind: ObjKind, sockets = 0): Obj[] {
  return Array.from({ length: n }, (_, i) => {
    const o = new Obj(sim, `${prefix}${i}`, kind, new Cpu(`${prefix}${i}`));
    o.sockets = sockets;
    return o;
  });
}
const one = (sim: Sim, name: string, kind: ObjKind, sockets = 0): Obj => many(sim, 1, name, kind, sockets)[0]!;
const pow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const noop = (): void => {};

/** Design sizing rules (docs/scale.md): what one object is given at most. */
export const SIZING = {
  connectionsPerShard: 4_000,
  callsPerWorkerShard: 500,
  fanOut: 64,
  devicesPerBridge: 20_000,
  fleetChannels: 16,
} as const;

// ---- Load 1: 1M connections over 100k apps, 10 messages/s per app ----

export const L1 = { apps: 100_000, connsPerApp: 10, msgsPerApp: 10, sample: 100, reconnectWindowS: 30 } as const;

/**
 * Each app in its own object, as today; 100 sampled apps are simulated (apps are alike and share
 * nothing), each with 10 API calls/s and its 10 connections arriving over a 30 s reconnect window
 * (after a deploy every socket reconnects). The Directory hears from every app object that starts
 * (`touch`), today; the design stores "listed" in the app object, so only new apps touch it.
 * `mult` scales the number of apps.
 */
export const l1 =
  (today: boolean): Builder =>
  (sim, flows, rng, lat, mult) => {
    const apps = many(sim, L1.sample, "app", "app", L1.connsPerApp);
    const directory = one(sim, "directory", "directory");
    const c = flows.c;
    return {
      op: "API call round trip (within an app)",
      sizing: `${(L1.apps * mult).toLocaleString("en")} apps, 1 object each (${L1.sample} simulated)`,
      groups: [
        { label: "app object", objs: apps, grows: false },
        { label: "directory (one per deployment)", objs: [directory], grows: true },
      ],
      checks: [],
      start(until) {
        for (const app of apps) {
          poisson(sim, rng, L1.msgsPerApp, until, () => flows.apiCall(app, app, (ms) => lat.add(ms)));
          poisson(sim, rng, L1.connsPerApp / L1.reconnectWindowS, until, () => app.exec(c.connect, noop));
        }
        if (today)
          poisson(sim, rng, (L1.apps * mult) / L1.reconnectWindowS, until, () => {
            directory.request();
            directory.exec(c.rpcCall + c.rpcItem, noop);
          });
      },
    };
  };

// ---- Load 2: one app, 50,000 online browsers and 20 workers, 2,000 API calls/s ----

export const L2 = { browsers: 50_000, workers: 20, callsPerSec: 2_000 } as const;

/** The worker side of load 2: every worker answers its api.req frames over its own connection. */
function workerRate(calls: number, workers: number): ExtraCheck {
  return {
    limit: "frames/s per connection (quota)",
    where: "each worker",
    usage: calls / workers,
    max: QUOTAS.framesPerSecPerConnection,
    grows: true,
  };
}

/**
 * Today: every block of the app in its one object. Design: blocks in uid shards (by a hash of the
 * uid), the owner's workers (the default pool) in pool shards, the registry apart; the caller's shard
 * forwards each call to a pool shard (weighted round-robin), which picks the worker. `mult` scales
 * browsers and calls.
 */
export const l2 =
  (today: boolean): Builder =>
  (sim, flows, rng, lat, mult) => {
    const browsers = Math.round(L2.browsers * mult);
    const calls = L2.callsPerSec * mult;
    const done = (ms: number) => lat.add(ms);
    if (today) {
      const app = one(sim, "app", "app", browsers + L2.workers);
      return {
        op: "API call round trip",
        sizing: "1 app object",
        groups: [{ label: "app object", objs: [app], grows: true }],
        checks: [workerRate(calls, L2.workers)],
        start: (until) => poisson(sim, rng, calls, until, () => flows.apiCall(app, app, done)),
      };
    }
    const S = pow2(Math.ceil(browsers / SIZING.connectionsPerShard));
    const P = Math.min(L2.workers, Math.ceil(calls / SIZING.callsPerWorkerShard));
    const shards = many(sim, S, "shard", "shard", Math.ceil(browsers / S));
    const pools = many(sim, P, "pool", "pool", Math.ceil(L2.workers / P));
    const registry = one(sim, "registry", "registry");
    let next = 0;
    return {
      op: "API call round trip",
      sizing: `${S} uid shards, ${P} owner's pool shards, 1 registry`,
      groups: [
        { label: "uid shard", objs: shards, grows: false },
        { label: "owner's pool shard", objs: pools, grows: P >= L2.workers },
        { label: "registry", objs: [registry], grows: true },
      ],
      checks: [workerRate(calls, L2.workers)],
      start: (until) => poisson(sim, rng, calls, until, () => flows.apiCall(shards[rng.int(S)]!, pools[next++ % P]!, done)),
    };
  };

// ---- Load 3: one channel, 100,000 subscribers in 5,000 apps, 10 publishes/s ----

export const L3 = { members: 5_000, subscribersPerMember: 20, publishesPerSec: 10 } as const;

/** Relay levels, top first, so that no object calls more than `fanOut` others per message. */
export function treeLevels(members: number, fanOut: number): number[] {
  const levels: number[] = [];
  let n = Math.ceil(members / fanOut);
  while (n > 1) {
    levels.unshift(n);
    n = Math.ceil(n / fanOut);
  }
  return levels;
}

/** Today: the channel object calls every member app. Design: through relay objects. `mult` scales the members. */
export const l3 =
  (today: boolean): Builder =>
  (sim, flows, rng, lat, mult) => {
    const n = Math.round(L3.members * mult);
    const members: Members = {
      objs: many(sim, n, "member", "app", L3.subscribersPerMember),
      subscribers: new Array(n).fill(L3.subscribersPerMember),
    };
    const publisher = one(sim, "publisher", "app", 1);
    const channel = one(sim, "channel", "channel");
    const levels = today ? [] : treeLevels(n, SIZING.fanOut);
    const tree = levels.map((size, i) => many(sim, size, `relay${i}.`, "relay"));
    const fan = today ? n : SIZING.fanOut;
    return {
      op: "publish to last subscriber",
      sizing: today
        ? `1 channel object, ${n} members`
        : `1 channel object, relays ${levels.join(" -> ") || "none"}, ${n} members`,
      groups: [
        { label: "channel object", objs: [channel], grows: today },
        ...tree.map((objs, i) => ({ label: `relay level ${i + 1}`, objs, grows: false })),
        { label: "member app object", objs: members.objs, grows: false },
      ],
      checks: [{ limit: "subrequests per incoming call", where: "channel object", usage: fan, max: 10_000, grows: today }],
      start: (until) => poisson(sim, rng, L3.publishesPerSec, until, () => flows.publish(publisher, channel, members, lat, tree)),
    };
  };

// ---- Load 4: 100,000 MQTT devices, each publishing once every 10 s ----

export const L4 = { devices: 100_000, periodS: 10, consumers: 4 } as const;

/**
 * Devices publish (QoS 1) telemetry that backend workers of the fleet app consume. Today: one bridge,
 * the fleet app in one object, one channel, one consumer subscribed to it (Nexus has no shared
 * subscriptions, so more consumers would each get everything). Design: bridges behind a TCP load
 * balancer, the devices (one uid each) in uid shards, the telemetry on 16 channels
 * `fleet/telemetry/<n>` (an application choice: one channel is one `seq`, one object), and 4
 * consumers in their own shards, each subscribed to 4 of them. `mult` scales the devices.
 */
export const l4 =
  (today: boolean): Builder =>
  (sim, flows, rng, lat, mult) => {
    const devices = Math.round(L4.devices * mult);
    const rate = devices / L4.periodS;
    const c = flows.c;
    const B = today ? 1 : Math.ceil(devices / SIZING.devicesPerBridge);
    const P = today ? 1 : pow2(Math.ceil(devices / SIZING.connectionsPerShard));
    const G = today ? 1 : SIZING.fleetChannels;
    const bridges = many(sim, B, "bridge", "bridge", Math.ceil(devices / B));
    const shards = many(sim, P, today ? "app" : "shard", today ? "app" : "shard", Math.ceil(devices / P));
    const channels = many(sim, G, "channel", "channel");
    const consumers = today ? shards : many(sim, L4.consumers, "consumer", "shard", 1);
    if (today) shards[0]!.sockets += 1;
    const membersOf = channels.map((_, g): Members => ({ objs: [consumers[g % consumers.length]!], subscribers: [1] }));
    const perConsumer = G / consumers.length;
    const checks: ExtraCheck[] = [
      {
        limit: "subscriptions per connection (quota)",
        where: "each consumer",
        usage: perConsumer,
        max: QUOTAS.maxSubscriptions,
        grows: false,
      },
      {
        limit: "blocks per uid (quota), one uid per device",
        where: "each device uid",
        usage: 1,
        max: QUOTAS.maxBlocksPerUser,
        grows: false,
      },
    ];
    return {
      op: "device publish to consumer",
      sizing: `${B} bridge${B > 1 ? "s" : ""}, ${P} ${today ? "app object" : "uid shards"}, ${G} channel${G > 1 ? "s" : ""}`,
      groups: [
        { label: "bridge process", objs: bridges, grows: today },
        { label: today ? "fleet app object" : "uid shard", objs: shards, grows: today },
        ...(today ? [] : [{ label: "consumer's shard", objs: consumers, grows: true }]),
        { label: "channel object", objs: channels, grows: true },
      ],
      checks,
      start: (until) =>
        poisson(sim, rng, rate, until, () => {
          // Devices publish independently: each publish is from a device drawn at random.
          const k = rng.int(devices);
          const bridge = bridges[k % B]!;
          const shard = shards[k % P]!;
          const g = k % G;
          // PUBLISH in, `pub` out; later the edge's ack in, PUBACK out (QoS 1): two passes.
          bridge.exec(c.bridgePass, () => {
            flows.publish(shard, channels[g]!, membersOf[g]!, lat);
            shard.exec(c.wsOut, () => bridge.exec(c.bridgePass, noop));
          });
        }),
    };
  };

/** The four loads, each through today's design and the proposed one. */
export const LOADS = [
  { id: "L1", title: "1M connections over 100k apps, 10 messages/s per app", today: l1(true), design: l1(false), scales: "apps" },
  {
    id: "L2",
    title: "One app: 50,000 browsers, 20 workers, 2,000 API calls/s",
    today: l2(true),
    design: l2(false),
    scales: "browsers and calls",
  },
  {
    id: "L3",
    title: "One channel: 100,000 subscribers in 5,000 apps, 10 publishes/s",
    today: l3(true),
    design: l3(false),
    scales: "subscribers",
  },
  { id: "L4", title: "100,000 MQTT devices, one publish every 10 s each", today: l4(true), design: l4(false), scales: "devices" },
] as const;
