import { percentile } from "../stats";

// Buckets 1 % wide from 1 µs: a soak takes millions of samples, too many to keep and sort.
const GROWTH = 1.01;
const FLOOR_MS = 0.001;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * Latency samples (ms) of a whole run, kept as counts in buckets 1 % wide, so percentiles of
 * millions of samples cost a few kilobytes; plus the current second's raw samples, whose exact
 * percentiles `drainSecond` returns and forgets.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(1.2);
 * h.record(3.4);
 * h.drainSecond(); // { count: 2, p50: 1.2, p99: 3.4 }
 * h.percentile(50); // about 1.2 (within 1 %)
 * ```
 */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private second: number[] = [];
  private total = 0;
  private highest = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const i = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
    this.second.push(ms);
    this.total++;
    if (ms > this.highest) this.highest = ms;
  }

  /** How many samples the run has. */
  get count(): number {
    return this.total;
  }

  /** The largest sample of the run. */
  get max(): number {
    return this.total ? this.highest : Number.NaN;
  }

  /** The run's latency at percentile `p` (0-100), to within one bucket (1 %). */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const i of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(i)!;
      if (seen >= rank) return Math.min(FLOOR_MS * GROWTH ** i, this.highest);
    }
    return this.highest;
  }

  /** The samples since the last call: their count and exact p50 and p99; then starts a new second. */
  drainSecond(): { count: number; p50: number; p99: number } {
    const sorted = this.second.sort((a, b) => a - b);
    this.second = [];
    return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}
