/**
 * The discrete-event core: a clock, an event heap ordered by (time, insertion), single-threaded CPUs
 * and the objects that run on them. Times are milliseconds, costs microseconds (as the bench derives
 * them). A CPU serves jobs first come, first served, one at a time, as a Durable Object's single
 * thread does; several objects may share one CPU (the bench's one workerd core) or each have its own
 * (production, where objects are spread over machines).
 */

interface SimEvent {
  t: number;
  n: number;
  fn: () => void;
}

/**
 * The clock and the event queue.
 *
 * @example
 * ```ts
 * const sim = new Sim();
 * sim.after(1, () => console.log(sim.now)); // 1
 * sim.run(10);
 * ```
 */
export class Sim {
  now = 0;
  private heap: SimEvent[] = [];
  private n = 0;
  events = 0;

  at(t: number, fn: () => void): void {
    const e = { t: Math.max(t, this.now), n: this.n++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  after(ms: number, fn: () => void): void {
    this.at(this.now + ms, fn);
  }

  /** Runs events until the clock passes `until` or nothing is left. */
  run(until: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.t <= until) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= h.length) break;
          const r = l + 1;
          const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
          if (!before(h[c]!, last)) break;
          h[i] = h[c]!;
          i = c;
        }
        h[i] = last;
      }
      this.now = top.t;
      this.events++;
      top.fn();
    }
    this.now = until;
  }
}

const before = (a: SimEvent, b: SimEvent): boolean => a.t < b.t || (a.t === b.t && a.n < b.n);

/** One thread of CPU. Work is reserved when submitted: FIFO, non-preemptive, as a DO's event loop. */
export class Cpu {
  freeAt = 0;
  constructor(readonly name: string) {}
}

/** What an object is, for the report: a Durable Object (limits apply) or a process (the bridge). */
export type ObjKind = "app" | "shard" | "pool" | "registry" | "channel" | "relay" | "directory" | "bridge" | "presence";

/**
 * A Durable Object or process in the model: its CPU, and what it accumulated while measured.
 *
 * @example
 * ```ts
 * const app = new Obj(sim, "app:explore", "app", new Cpu("core"));
 * app.exec(23.8, () => deliver()); // 23.8 µs of its thread, then deliver
 * ```
 */
export class Obj {
  /** CPU milliseconds used while measured. */
  busyMs = 0;
  /** Incoming WebSocket messages and RPC calls while measured (the soft limit counts requests). */
  requests = 0;
  sockets = 0;
  /** Isolate heap held by queued work, bytes (current and peak). */
  queuedBytes = 0;
  peakQueuedBytes = 0;
  measuring = false;

  constructor(
    readonly sim: Sim,
    readonly name: string,
    readonly kind: ObjKind,
    readonly cpu: Cpu,
  ) {}

  /** Runs `costUs` of work on this object's thread after what is already queued there, then `then`. */
  exec(costUs: number, then: () => void): void {
    const start = Math.max(this.sim.now, this.cpu.freeAt);
    const end = start + costUs / 1000;
    this.cpu.freeAt = end;
    if (this.measuring) this.busyMs += costUs / 1000;
    this.sim.at(end, then);
  }

  /** Counts one incoming request (a WebSocket message or an RPC call). */
  request(): void {
    if (this.measuring) this.requests++;
  }

  hold(bytes: number): void {
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.peakQueuedBytes) this.peakQueuedBytes = this.queuedBytes;
  }

  /** Milliseconds of work queued on its CPU beyond now: grows without bound when saturated. */
  backlogMs(): number {
    return Math.max(0, this.cpu.freeAt - this.sim.now);
  }
}

/**
 * One call in flight per target; items pushed meanwhile go together in the next call, as
 * `src/batcher.ts` does. `send(items, done)` models the call and calls `done` when it has returned.
 *
 * @example
 * ```ts
 * const toChannel = new SimBatcher<number>((seqs, done) => rpc(app, channel, seqs.length, done));
 * toChannel.push(1);
 * ```
 */
export class SimBatcher<T> {
  private queue: T[] = [];
  private busy = false;

  constructor(
    private readonly send: (items: T[], done: () => void) => void,
    private readonly owner?: Obj,
    private readonly itemBytes = 0,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    this.owner?.hold(this.itemBytes);
    if (!this.busy) this.drain();
  }

  get queued(): number {
    return this.queue.length;
  }

  private drain(): void {
    if (this.queue.length === 0) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const items = this.queue.splice(0, 512);
    this.owner?.hold(-items.length * this.itemBytes);
    this.send(items, () => this.drain());
  }
}

/**
 * Latency samples, in milliseconds; percentiles by sorting (runs are small).
 *
 * @example
 * ```ts
 * const lat = new Latencies(); lat.add(1.2); lat.percentile(99);
 * ```
 */
export class Latencies {
  readonly samples: number[] = [];
  add(ms: number): void {
    this.samples.push(ms);
  }
  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const s = [...this.samples].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  }
}
