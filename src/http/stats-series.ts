import { quantileMs, TRAFFIC_SECONDS, type TrafficSecond } from "../app/traffic-stats";

/** The whole edge's traffic over the last minutes, one point per second, oldest first. */
export interface StatsSeries {
  /** The first point's second, in ms since the epoch. */
  start: number;
  /** Between points, in ms. */
  step: number;
  connections: number[];
  /** Frames per second received from blocks, and sent to them. */
  in: number[];
  out: number[];
  /** API calls per second that finished, and their p50 and p99 latency in ms (null: no calls). */
  calls: number[];
  p50: (number | null)[];
  p99: (number | null)[];
  /** Error frames and failed calls per second, by code. */
  errors: Record<string, number[]>;
}

/**
 * Adds up the app objects' seconds into one series over the last `TRAFFIC_SECONDS` up to `now`
 * (the last point is the current, partial second: a chart of rates leaves it out). Connections are sampled in each second with traffic and
 * carried between samples (and back to the start from an app's first sample).
 *
 * @example
 * ```ts
 * const series = mergeTraffic(apps.map((a) => a.traffic), Date.now());
 * series.in.at(-2); // frames received in the last whole second
 * ```
 */
export function mergeTraffic(perApp: TrafficSecond[][], now: number): StatsSeries {
  const last = Math.floor(now / 1000);
  const first = last - TRAFFIC_SECONDS + 1;
  const n = TRAFFIC_SECONDS;
  const zeros = () => new Array<number>(n).fill(0);
  const series: StatsSeries = {
    start: first * 1000,
    step: 1000,
    connections: zeros(),
    in: zeros(),
    out: zeros(),
    calls: zeros(),
    p50: new Array(n).fill(null),
    p99: new Array(n).fill(null),
    errors: {},
  };
  const latency: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (const seconds of perApp) {
    const sorted = [...seconds].sort((a, b) => a.t - b.t);
    let carried = sorted[0]?.connections ?? 0;
    let next = 0;
    for (let i = 0; i < n; i++) {
      const second = first + i;
      while (next < sorted.length && sorted[next]!.t / 1000 < second) carried = sorted[next++]!.connections;
      const s = sorted[next];
      if (s && s.t / 1000 === second) {
        carried = s.connections;
        series.in[i]! += s.in;
        series.out[i]! += s.out;
        series.calls[i]! += s.calls;
        for (const [bin, count] of s.latency) latency[i]!.set(bin, (latency[i]!.get(bin) ?? 0) + count);
        for (const [code, count] of Object.entries(s.errors)) {
          const row = series.errors[code] ?? zeros();
          series.errors[code] = row;
          row[i]! += count;
        }
      }
      series.connections[i]! += carried;
    }
  }
  for (let i = 0; i < n; i++) {
    series.p50[i] = round(quantileMs(latency[i]!, 0.5));
    series.p99[i] = round(quantileMs(latency[i]!, 0.99));
  }
  return series;
}

function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10;
}
