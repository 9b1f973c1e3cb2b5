interface Queued<T, R> {
  item: T;
  bytes: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** A queued item taken back (`takeQueued`), with what settles its `push`. */
export type Taken<T, R> = Readonly<Queued<T, R>>;

/** How big one call may get, and how much may wait behind it. */
export interface BatchLimits<T> {
  /** Items per call (default 512). */
  maxBatch?: number;
  /** Bytes per call, as `sizeOf` counts them (default unbounded); an item larger than this goes alone. */
  maxBatchBytes?: number;
  /** Bytes waiting behind the call in flight (default unbounded); past it `push` rejects with BatchQueueFull. */
  maxQueuedBytes?: number;
  /** The size of an item (default 0: only counts bound the batch). */
  sizeOf?: (item: T) => number;
  /**
   * What a call waits for after the previous one returned, so that items already received join it
   * (default: one timer turn of the event loop, about a millisecond in workerd: right for throughput,
   * wrong for a path that waits on something slower anyway); null sends at once.
   */
  pause?: (() => Promise<void>) | null;
  /**
   * How many items must wait when a call returns for the pause to be taken (default 2: a caller
   * with a single call waiting waits for no timer). 1 suits a path whose callers keep several in
   * flight and whose latency a lone item sets: channel publishes.
   */
  pauseFrom?: number;
}

/**
 * `push` refused the item: more than `maxQueuedBytes` already wait for this target. The item was
 * not sent; nothing else is affected (the sender is told to slow down).
 */
export class BatchQueueFull extends Error {
  override readonly name = "BatchQueueFull";
}

/**
 * Sends items to one target through one call at a time: the first item goes at once, and items
 * that arrive while a call is in flight go together in the next call, which leaves one turn of the
 * event loop after the previous one returns (so that what is already received joins it). Idle, it
 * adds no latency and no timer; under load, one Durable Object call carries many items instead of one each. With one
 * call in flight per target, items also arrive in the order they were pushed. A call carries at most
 * `maxBatch` items and `maxBatchBytes` bytes, so that a burst of large items never makes one call
 * larger than the runtime accepts (which would fail every item in it).
 *
 * @example
 * ```ts
 * const toChannel = new Batcher((items: Pub[]) => stub.publishBatch(name, items), () => {}, { maxBatchBytes: 4 << 20, sizeOf: (p) => p.data.length });
 * const seq = await toChannel.push({ fromJson, data, retain: false });
 * ```
 */
export class Batcher<T, R> {
  private queue: Queued<T, R>[] = [];
  private queuedBytes = 0;
  private busy = false;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly sizeOf: (item: T) => number;
  private readonly pause: (() => Promise<void>) | null;
  private readonly pauseFrom: number;

  constructor(
    private readonly send: (items: T[]) => Promise<R[]>,
    private readonly onIdle: () => void = () => {},
    limits: BatchLimits<T> = {},
  ) {
    this.maxBatch = limits.maxBatch ?? 512;
    this.maxBatchBytes = limits.maxBatchBytes ?? Number.POSITIVE_INFINITY;
    this.maxQueuedBytes = limits.maxQueuedBytes ?? Number.POSITIVE_INFINITY;
    this.sizeOf = limits.sizeOf ?? (() => 0);
    this.pause = limits.pause === undefined ? nextTurn : limits.pause;
    this.pauseFrom = limits.pauseFrom ?? 2;
  }

  /** Queues an item; resolves with its own result, or rejects when its call failed (or the queue is full). */
  push(item: T): Promise<R> {
    const bytes = this.sizeOf(item);
    if (this.queue.length > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) {
      return Promise.reject(new BatchQueueFull(`more than ${this.maxQueuedBytes} bytes wait for this target`));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, bytes, resolve, reject });
      this.queuedBytes += bytes;
      if (!this.busy) void this.drain();
    });
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  /** Takes back the items queued behind the call in flight (not sent yet), in order; the caller settles them. */
  takeQueued(): Taken<T, R>[] {
    const taken = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return taken;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    let sent = false;
    while (this.queue.length > 0) {
      // Under load (two or more waiting), one turn of the event loop before the next call: the frames
      // already received are handled first and join this batch. Without it a batch held about 2 items
      // (the call returns sooner than the next frames are handled), so the per-call cost was paid per
      // item. A single waiting item goes at once: a caller with a call or two in flight waits for no timer.
      if (sent && this.pause && this.queue.length >= this.pauseFrom) await this.pause();
      sent = true;
      const batch = this.queue.splice(0, this.batchLength());
      for (const q of batch) this.queuedBytes -= q.bytes;
      try {
        const results = await this.send(batch.map((q) => q.item));
        for (const [i, q] of batch.entries()) q.resolve(results[i] as R);
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    this.busy = false;
    this.onIdle();
  }

  /** How many of the queued items the next call takes: at least one, within both bounds. */
  private batchLength(): number {
    const n = Math.min(this.queue.length, this.maxBatch);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      bytes += (this.queue[i] as Queued<T, R>).bytes;
      if (bytes > this.maxBatchBytes) return Math.max(1, i);
    }
    return n;
  }
}

/** Resolves after the frames and answers already queued for this isolate have been handled. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * One Batcher per target (a channel, an app), created on first use and dropped when idle, so the
 * map only holds targets with traffic in flight.
 *
 * @example
 * ```ts
 * const publishes = new KeyedBatcher((channel, items: Pub[]) => stubs.channel(channel).publishBatch(channel, items));
 * await publishes.push("prices", { fromJson, data: "42", retain: false });
 * ```
 */
export class KeyedBatcher<T, R> {
  private readonly batchers = new Map<string, Batcher<T, R>>();

  constructor(
    private readonly send: (key: string, items: T[]) => Promise<R[]>,
    private readonly limits: BatchLimits<T> = {},
  ) {}

  push(key: string, item: T): Promise<R> {
    let batcher = this.batchers.get(key);
    if (!batcher) {
      const created: Batcher<T, R> = new Batcher(
        (items) => this.send(key, items),
        () => {
          if (this.batchers.get(key) === created && created.idle) this.batchers.delete(key);
        },
        this.limits,
      );
      batcher = created;
      this.batchers.set(key, batcher);
    }
    return batcher.push(item);
  }

  get size(): number {
    return this.batchers.size;
  }

  /** Takes back what is queued for `key` behind its call in flight, in order (see Batcher.takeQueued). */
  takeQueued(key: string): Taken<T, R>[] {
    return this.batchers.get(key)?.takeQueued() ?? [];
  }
}
