interface Entry<K> {
  key: K;
  at: number;
  /** Position in the heap array. */
  pos: number;
}

/**
 * Deadlines by key, nearest first: an indexed binary min-heap, so adding, moving and removing a key
 * all cost O(log n) and nothing stale stays behind. It owns no timer: the caller arms one timer (or
 * the object's one alarm) for `next()` and calls `due(now)` when it fires. workerd allows an object
 * at most 10,000 active timers, so a timer per pending call or per socket does not scale; this does.
 *
 * @example
 * ```ts
 * const q = new DeadlineQueue<string>();
 * q.set("r1", Date.now() + 30_000);
 * await ctx.storage.setAlarm(q.next()!);
 * // in alarm():
 * for (const rid of q.due(Date.now())) expire(rid);
 * ```
 */
export class DeadlineQueue<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly byKey = new Map<K, Entry<K>>();

  /** Sets (or moves) the deadline of `key`. */
  set(key: K, at: number): void {
    const e = this.byKey.get(key);
    if (e) {
      const earlier = at < e.at;
      e.at = at;
      if (earlier) this.up(e.pos);
      else this.down(e.pos);
      return;
    }
    const entry: Entry<K> = { key, at, pos: this.heap.length };
    this.heap.push(entry);
    this.byKey.set(key, entry);
    this.up(entry.pos);
  }

  /** Removes the deadline of `key`; false when it had none. */
  delete(key: K): boolean {
    const e = this.byKey.get(key);
    if (!e) return false;
    this.byKey.delete(key);
    const last = this.heap.pop() as Entry<K>;
    if (last !== e) {
      this.heap[e.pos] = last;
      last.pos = e.pos;
      this.up(last.pos);
      this.down(last.pos);
    }
    return true;
  }

  has(key: K): boolean {
    return this.byKey.has(key);
  }

  /** The nearest deadline, or undefined when there is none. */
  next(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns every key whose deadline is at or before `now`, nearest first. */
  due(now: number): K[] {
    const out: K[] = [];
    for (let top = this.heap[0]; top !== undefined && top.at <= now; top = this.heap[0]) {
      out.push(top.key);
      this.delete(top.key);
    }
    return out;
  }

  get size(): number {
    return this.heap.length;
  }

  private up(i: number): void {
    const e = this.heap[i] as Entry<K>;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = this.heap[p] as Entry<K>;
      if (parent.at <= e.at) break;
      this.heap[i] = parent;
      parent.pos = i;
      i = p;
    }
    this.heap[i] = e;
    e.pos = i;
  }

  private down(i: number): void {
    const n = this.heap.length;
    const e = this.heap[i] as Entry<K>;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (this.heap[r] as Entry<K>).at < (this.heap[l] as Entry<K>).at ? r : l;
      const child = this.heap[c] as Entry<K>;
      if (child.at >= e.at) break;
      this.heap[i] = child;
      child.pos = i;
      i = c;
    }
    this.heap[i] = e;
    e.pos = i;
  }
}

/** The timer functions a DeadlineTimer uses; tests pass fakes. */
export interface TimerApi {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * A DeadlineQueue driven by one timer, armed for the nearest deadline: however many keys are
 * waiting, the object holds one active timer. Removing a key never re-arms (a timer that fires with
 * nothing due just re-arms for the next deadline), so settling calls in the usual order costs no
 * timer work at all.
 *
 * @example
 * ```ts
 * const timeouts = new DeadlineTimer<string>((rid) => settle(rid, timedOut));
 * timeouts.set("r1", Date.now() + 30_000);
 * timeouts.delete("r1"); // answered in time
 * ```
 */
export class DeadlineTimer<K> {
  private readonly queue = new DeadlineQueue<K>();
  private timer: unknown;
  private armedAt: number | undefined;

  constructor(
    private readonly expire: (key: K) => void,
    private readonly timers: TimerApi = realTimers,
  ) {}

  set(key: K, at: number): void {
    this.queue.set(key, at);
    if (this.armedAt === undefined || at < this.armedAt) this.arm(at);
  }

  delete(key: K): boolean {
    const removed = this.queue.delete(key);
    if (this.queue.size === 0) this.disarm();
    return removed;
  }

  get size(): number {
    return this.queue.size;
  }

  /** Active timers held: 0 or 1. */
  get timersActive(): number {
    return this.armedAt === undefined ? 0 : 1;
  }

  private arm(at: number): void {
    this.disarm();
    this.armedAt = at;
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, at - this.timers.now()));
  }

  private disarm(): void {
    if (this.armedAt === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.armedAt = undefined;
  }

  private fire(): void {
    this.armedAt = undefined;
    for (const key of this.queue.due(this.timers.now())) this.expire(key);
    const next = this.queue.next();
    if (next !== undefined && this.armedAt === undefined) this.arm(next);
  }
}
