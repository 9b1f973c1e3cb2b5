/** A latency distribution, in milliseconds, reduced to what the report prints and draws. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** 101 points: the latency at percentile 0, 1, ..., 100 (for the report's curves). */
  curve: number[];
}

/**
 * The latency at percentile `p` (0-100) of ascending `sorted`, nearest-rank.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * Summarises latency samples (milliseconds).
 *
 * @example
 * ```ts
 * summarise([0.2, 0.3, 0.25]).p50; // 0.25
 * ```
 */
export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    curve: Array.from({ length: 101 }, (_, p) => percentile(sorted, p)),
  };
}

/**
 * Events per second over an interval measured with `performance.now()`.
 *
 * @example
 * ```ts
 * rate(5000, 0, 1000); // 5000
 * ```
 */
export function rate(events: number, startMs: number, endMs: number): number {
  const seconds = (endMs - startMs) / 1000;
  return seconds > 0 ? events / seconds : Number.NaN;
}
