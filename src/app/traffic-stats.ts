/** One second of an app object's traffic, as the stats route returns it (only seconds with traffic). */
export interface TrafficSecond {
  /** The second, in ms since the epoch (a multiple of 1000). */
  t: number;
  /** Frames received from blocks. */
  in: number;
  /** Frames sent to blocks. */
  out: number;
  /** API calls made by this app's blocks that finished (answered, failed or timed out). */
  calls: number;
  /** Their latency, from the call frame's arrival to its result: a sparse log-scale histogram [bin, count]. */
  latency: [number, number][];
  /** Error frames and failed call results sent, by code. */
  errors: Record<string, number>;
  /** The app's connections at the first event of the second (and now, for the current second). */
  connections: number;
}

/** How many seconds of traffic an app object keeps (the console charts the last five minutes). */
export const TRAFFIC_SECONDS = 300;

/** Latency bins grow by this factor; bin b holds [GROWTH^b - 1, GROWTH^(b+1) - 1) ms. */
const GROWTH = 1.25;

interface Bucket {
  second: number;
  in: number;
  out: number;
  calls: number;
  latency: Map<number, number>;
  errors: Map<string, number>;
  connections: number;
}

const ERROR_CODE = /^\{"t":"error"(?:,"id":"(?:[^"\\]|\\.)*")?,"code":"([a-z_]+)"/;

/**
 * The latency bin of a duration in ms.
 *
 * @example
 * ```ts
 * latencyBin(0); // 0
 * binUpperMs(latencyBin(12)) >= 12; // true
 * ```
 */
export function latencyBin(ms: number): number {
  return Math.max(0, Math.floor(Math.log(Math.max(0, ms) + 1) / Math.log(GROWTH)));
}

/** The upper edge of a latency bin, in ms (what a percentile read from the histogram reports). */
export function binUpperMs(bin: number): number {
  return GROWTH ** (bin + 1) - 1;
}

/**
 * The `q` quantile (0..1) of a histogram of [bin, count] pairs, as the upper edge of its bin, or
 * undefined when it is empty.
 *
 * @example
 * ```ts
 * quantileMs([[latencyBin(2), 99], [latencyBin(400), 1]], 0.5); // about 2.8
 * ```
 */
export function quantileMs(histogram: Iterable<[number, number]>, q: number): number | undefined {
  const bins = [...histogram].sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bin, count] of bins) {
    seen += count;
    if (seen >= rank) return binUpperMs(bin);
  }
  return binUpperMs(bins[bins.length - 1]![0]);
}

/**
 * An app object's traffic over the last `TRAFFIC_SECONDS`, one bucket per second, in memory (the
 * figures count since the object last started, as `messagesIn` does). Counting is a few increments
 * per frame; `seconds()` returns the seconds that had traffic.
 *
 * @example
 * ```ts
 * const traffic = new TrafficStats(() => blocks.index.byConn.size);
 * traffic.received(now); traffic.sent('{"t":"ack","id":"1"}'); traffic.callDone(undefined, 3);
 * traffic.seconds(); // [{ t, in: 1, out: 1, calls: 1, latency: [[5, 1]], errors: {}, connections: 1 }]
 * ```
 */
export class TrafficStats {
  private readonly ring: (Bucket | undefined)[] = new Array(TRAFFIC_SECONDS);

  /**
   * Starts with a sample of the connections now, so the time before the first traffic reads as
   * what it was: none for a new object, the sleeping sockets for one that woke from hibernation.
   */
  constructor(
    private readonly connections: () => number,
    now = Date.now(),
  ) {
    this.bucket(now);
  }

  /** A frame arrived from a block. */
  received(now = Date.now()): void {
    this.bucket(now).in++;
  }

  /** A frame went out to a block; error frames are counted by code. */
  sent(text: string, now = Date.now()): void {
    const b = this.bucket(now);
    b.out++;
    if (text.startsWith('{"t":"error"')) {
      const code = ERROR_CODE.exec(text)?.[1] ?? "unknown";
      b.errors.set(code, (b.errors.get(code) ?? 0) + 1);
    }
  }

  /** A block's API call finished after `ms`; `failedCode` is its error code when it failed. */
  callDone(failedCode: string | undefined, ms: number, now = Date.now()): void {
    const b = this.bucket(now);
    b.calls++;
    const bin = latencyBin(ms);
    b.latency.set(bin, (b.latency.get(bin) ?? 0) + 1);
    if (failedCode !== undefined) b.errors.set(failedCode, (b.errors.get(failedCode) ?? 0) + 1);
  }

  /** The seconds with traffic within the last `TRAFFIC_SECONDS`, oldest first. */
  seconds(now = Date.now()): TrafficSecond[] {
    const current = Math.floor(now / 1000);
    this.bucket(now).connections = this.connections();
    const out: TrafficSecond[] = [];
    for (const b of this.ring) {
      if (!b || b.second <= current - TRAFFIC_SECONDS) continue;
      out.push({
        t: b.second * 1000,
        in: b.in,
        out: b.out,
        calls: b.calls,
        latency: [...b.latency],
        errors: Object.fromEntries(b.errors),
        connections: b.connections,
      });
    }
    return out.sort((a, b) => a.t - b.t);
  }

  private bucket(now: number): Bucket {
    const second = Math.floor(now / 1000);
    const slot = second % TRAFFIC_SECONDS;
    let b = this.ring[slot];
    if (!b || b.second !== second) {
      b = { second, in: 0, out: 0, calls: 0, latency: new Map(), errors: new Map(), connections: this.connections() };
      this.ring[slot] = b;
    }
    return b;
  }
}
