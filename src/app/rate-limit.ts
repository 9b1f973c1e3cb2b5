/**
 * A token bucket per connection, plus the abuse rule: a client that keeps sending after being told
 * `rate_limited` (more than `abuseLimit` refusals within `abuseWindowMs`) is closed with 4008.
 * It lives in memory: losing it on hibernation only refills the bucket, it never misroutes.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ ratePerSec: 100, burst: 200, abuseLimit: 200, abuseWindowMs: 10_000 });
 * const verdict = bucket.take(Date.now()); // "ok" | "limited" | "abuse"
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private refusals = 0;
  private windowStart = 0;

  constructor(
    private readonly opts: { ratePerSec: number; burst: number; abuseLimit: number; abuseWindowMs: number },
    now = Date.now(),
  ) {
    this.tokens = opts.burst;
    this.last = now;
  }

  take(now: number): "ok" | "limited" | "abuse" {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.opts.burst, this.tokens + elapsed * this.opts.ratePerSec);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return "ok";
    }
    if (now - this.windowStart > this.opts.abuseWindowMs) {
      this.windowStart = now;
      this.refusals = 0;
    }
    this.refusals += 1;
    return this.refusals > this.opts.abuseLimit ? "abuse" : "limited";
  }
}

/**
 * A connection's own bucket, full, as the configuration sets it (NEXUS_RATE_PER_SEC, its burst and
 * the abuse threshold).
 *
 * @example
 * ```ts
 * session.bucket ??= connectionBucket(config, Date.now());
 * ```
 */
export function connectionBucket(
  c: { ratePerSec: number; rateBurst: number; abuseLimit: number; abuseWindowMs: number },
  now: number,
): TokenBucket {
  return new TokenBucket(
    { ratePerSec: c.ratePerSec, burst: c.rateBurst, abuseLimit: c.abuseLimit, abuseWindowMs: c.abuseWindowMs },
    now,
  );
}
