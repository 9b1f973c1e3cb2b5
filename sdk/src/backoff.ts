/**
 * How reconnect delays grow. Every field has a default.
 *
 * @example
 * ```ts
 * await connect({ url, token, kind: "default", reconnect: { initialDelayMs: 250, maxDelayMs: 10_000 } satisfies BackoffOptions });
 * ```
 */
export interface BackoffOptions {
  /** Upper bound of the first delay, in ms (default 500). */
  initialDelayMs?: number;
  /**
   * No delay is ever above this, in ms (default 2000, as NATS's 2 s reconnect wait): a client is back
   * at most this long after the edge is, and a herd of clients spreads its reconnects over this window.
   */
  maxDelayMs?: number;
  /** Growth of the upper bound per failed attempt (default 2). */
  factor?: number;
  /** Source of randomness in [0, 1); injectable so tests are exact (default Math.random). */
  random?: () => number;
}

// The default cap of a reconnect delay: see `BackoffOptions.maxDelayMs` and docs/protocol.md.
const DEFAULT_MAX_DELAY_MS = 2000;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th delay is uniform in [0, min(max, initial * factor^n)). Full jitter spreads the
 * reconnects of many clients after an edge restart instead of bunching them in waves. The defaults
 * (0.5 s doubling to 2 s) bring a client back within 2 s of the edge, whatever the outage's length,
 * while a herd of N clients arrives at about N/2 per second rather than all at once.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
 * backoff.next(); // 50
 * backoff.next(); // 100
 * backoff.reset(); // after a successful connect
 * ```
 */
export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initial = options.initialDelayMs ?? 500;
    this.max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.factor = options.factor ?? 2;
    this.random = options.random ?? Math.random;
  }

  /** The upper bound of the next delay, without consuming an attempt. */
  ceiling(): number {
    return Math.min(this.max, this.initial * this.factor ** this.attempt);
  }

  /** The next delay in ms; each call counts one failed attempt. */
  next(): number {
    const ceiling = this.ceiling();
    // Stop growing the exponent once capped, so a long outage cannot overflow to Infinity.
    if (ceiling < this.max) this.attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  /** Starts over from the first delay. */
  reset(): void {
    this.attempt = 0;
  }
}
