import type { Costs } from "./calibration";
import { type Obj, type Sim, SimBatcher } from "./engine";

/** Where end-to-end latencies go (a `Latencies`, or a bench loop's completion). */
export interface LatencySink {
  add(ms: number): void;
}

/** A channel message on its way: when it was published, and how many member objects still lack it. */
interface Msg {
  t0: number;
  pending: number;
  /** For a Direct: what to do once it has reached its worker's object. */
  arrived?: () => void;
}

/** Where a channel's member objects are, and how many local subscribers each delivers to. */
export interface Members {
  objs: Obj[];
  subscribers: number[];
}

/** Bytes a queued channel message holds in a batcher (frame text and bookkeeping). */
const MSG_BYTES = 512;

/**
 * The paths of the Nexus protocol through the model: a client's frame into an object, an RPC between
 * objects, an API call, a Direct, a channel publish (flat, as today, or through relay objects). Every
 * CPU cost is charged to the object that pays it in `src/`; clients and workers cost nothing (they are
 * other machines) and answer at once.
 *
 * @example
 * ```ts
 * const flows = new Flows(sim, costs);
 * flows.apiCall(shard, pool, (ms) => lat.add(ms));
 * ```
 */
export class Flows {
  private readonly batchers = new Map<string, SimBatcher<Msg>>();

  constructor(
    readonly sim: Sim,
    readonly c: Costs,
    /** Network time of one DO-to-DO hop beyond its CPU (0 on one machine; see docs/scale.md). */
    readonly rpcNetMs = 0,
  ) {}

  /** A frame from a client reaches `obj`, which handles it (`extraUs` beyond the receive), then `then`. */
  fromClient(obj: Obj, extraUs: number, then: () => void): void {
    this.sim.after(this.c.wireMs, () => {
      obj.request();
      obj.exec(this.c.wsIn + extraUs, then);
    });
  }

  /** `obj` sends `frames` frames (after `extraUs`); `then` runs when the last one has reached its client. */
  toClients(obj: Obj, frames: number, extraUs: number, then: () => void): void {
    obj.exec(extraUs + frames * this.c.wsOut, () => this.sim.after(this.c.wireMs, then));
  }

  /** An RPC from `a` to `b` carrying `items`; `b` then does `extraUs` of work and runs `then`. */
  rpc(a: Obj, b: Obj, items: number, extraUs: number, then: () => void): void {
    const side = this.c.rpcCall + items * this.c.rpcItem;
    a.exec(side, () =>
      this.net(() => {
        b.request();
        b.exec(side + extraUs, then);
      }),
    );
  }

  /** An RPC's answer travelling back (its CPU is in `rpc`). */
  back(then: () => void): void {
    this.net(then);
  }

  /** One DO-to-DO hop's network time (none on one machine: then no event is spent on it). */
  private net(then: () => void): void {
    if (this.rpcNetMs > 0) this.sim.after(this.rpcNetMs, then);
    else then();
  }

  /**
   * An API call from a client of `caller` to a worker connected to `pool` (the same object when the
   * caller and the worker share it, as within one app today); `done` gets the round-trip time.
   */
  apiCall(caller: Obj, pool: Obj, done: (ms: number) => void): void {
    const t0 = this.sim.now;
    const c = this.c;
    const finish = () => this.toClients(caller, 1, 0, () => done(this.sim.now - t0));
    const atPool = () =>
      // routing, api.req out, the worker answers at once, api.res in
      this.toClients(pool, 1, c.routeApi, () => this.fromClient(pool, 0, () => (pool === caller ? finish() : this.back(finish))));
    this.fromClient(caller, 0, () => (pool === caller ? atPool() : this.rpc(caller, pool, 1, 0, atPool)));
  }

  /** A Direct from a client of `from` to a worker of `to` (batched per target object, as today). */
  direct(from: Obj, to: Obj, done: (ms: number) => void): void {
    const t0 = this.sim.now;
    const deliver = () => this.sim.after(this.c.wireMs, () => done(this.sim.now - t0));
    if (from === to) {
      this.fromClient(from, this.c.routeDirect + this.c.wsOut, deliver);
      return;
    }
    const per = this.c.routeDirect + this.c.wsOut;
    this.fromClient(from, 0, () =>
      this.batcher(`d:${from.name}>${to.name}`, from, (items, sent) =>
        this.rpc(from, to, items.length, items.length * per, () => {
          for (const m of items) m.arrived?.();
          this.back(sent);
        }),
      ).push({ t0, pending: 1, arrived: deliver }),
    );
  }

  /**
   * A publish by a client of `publisher` on `channel`, fanned out as today: the channel object calls
   * every member object (one call in flight per member), each member sends to its subscribers.
   * With `tree` (levels of relay objects, the first called by the channel), each relay calls its
   * share of the next level, and the last level calls the members: relay `r` of a level serves the
   * children whose index is `r` modulo the level's size.
   */
  publish(publisher: Obj, channel: Obj, members: Members, lat: LatencySink, tree: Obj[][] = []): void {
    const msg: Msg = { t0: this.sim.now, pending: members.objs.length };
    this.fromClient(publisher, 0, () =>
      this.batcher(`p:${publisher.name}>${channel.name}`, publisher, (items, sent) =>
        this.rpc(publisher, channel, items.length, this.c.channelBatch, () => {
          this.back(sent);
          for (const m of items) this.fanOut(channel, 0, 0, 1, m, members, lat, tree);
        }),
      ).push(msg),
    );
  }

  /** `from` is relay `index` of a level of `size` objects (the channel: 0 of 1); it calls its children. */
  private fanOut(
    from: Obj,
    level: number,
    index: number,
    size: number,
    msg: Msg,
    members: Members,
    lat: LatencySink,
    tree: Obj[][],
  ): void {
    const next = tree[level];
    if (!next) {
      for (let i = index; i < members.objs.length; i += size) this.toMember(from, i, msg, members, lat);
      return;
    }
    for (let r = index; r < next.length; r += size) {
      const relay = next[r]!;
      this.batcher(`r:${from.name}>${relay.name}`, from, (items, sent) =>
        this.rpc(from, relay, items.length, 0, () => {
          this.back(sent);
          for (const m of items) this.fanOut(relay, level + 1, r, next.length, m, members, lat, tree);
        }),
      ).push(msg);
    }
  }

  private toMember(from: Obj, i: number, msg: Msg, members: Members, lat: LatencySink): void {
    const member = members.objs[i]!;
    const subs = members.subscribers[i]!;
    this.batcher(`m:${from.name}>${member.name}`, from, (items, sent) =>
      this.rpc(from, member, items.length, 0, () => {
        this.back(sent);
        for (const m of items)
          this.toClients(member, subs, 0, () => {
            if (--m.pending === 0) lat.add(this.sim.now - m.t0);
          });
      }),
    ).push(msg);
  }

  private batcher(key: string, owner: Obj, send: (items: Msg[], done: () => void) => void): SimBatcher<Msg> {
    let b = this.batchers.get(key);
    if (!b) {
      b = new SimBatcher<Msg>(send, owner, MSG_BYTES);
      this.batchers.set(key, b);
    }
    return b;
  }
}
