interface Queued<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends items to one target through one call at a time: the first item goes at once, and items
 * that arrive while a call is in flight go together in the next call. Idle, it adds no latency and
 * no timer; under load, one Durable Object call carries many items instead of one each. With one
 * call in flight per target, items also arrive in the order they were pushed.
 *
 * @example
 * ```ts
 * const toChannel = new Batcher((items: Pub[]) => stub.publishBatch(name, items));
 * const seq = await toChannel.push({ fromJson, data, retain: false });
 * ```
 */
export class Batcher<T, R> {
  private queue: Queued<T, R>[] = [];
  private busy = false;

  constructor(
    private readonly send: (items: T[]) => Promise<R[]>,
    private readonly onIdle: () => void = () => {},
    private readonly maxBatch = 512,
  ) {}

  /** Queues an item; resolves with its own result, or rejects when its call failed. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
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

  constructor(private readonly send: (key: string, items: T[]) => Promise<R[]>) {}

  push(key: string, item: T): Promise<R> {
    let batcher = this.batchers.get(key);
    if (!batcher) {
      const created: Batcher<T, R> = new Batcher(
        (items) => this.send(key, items),
        () => {
          if (this.batchers.get(key) === created && created.idle) this.batchers.delete(key);
        },
      );
      batcher = created;
      this.batchers.set(key, batcher);
    }
    return batcher.push(item);
  }

  get size(): number {
    return this.batchers.size;
  }
}
