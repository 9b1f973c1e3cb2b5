import { describe, expect, it } from "vitest";
import { latencyBin, TRAFFIC_SECONDS, type TrafficSecond } from "../app/traffic-stats";
import { mergeTraffic } from "./stats-series";

const NOW = 1_764_000_000_500;
const LAST = Math.floor(NOW / 1000) * 1000 - 1000;
const CURRENT = LAST + 1000;

function second(t: number, fields: Partial<TrafficSecond>): TrafficSecond {
  return { t, in: 0, out: 0, calls: 0, latency: [], errors: {}, connections: 0, ...fields };
}

describe("mergeTraffic", () => {
  it("adds the apps' seconds into one point per second of the window, the current second last", () => {
    const a = [second(LAST - 1000, { in: 2, out: 3, connections: 1 }), second(LAST, { in: 1, connections: 2 })];
    const b = [second(LAST, { out: 4, errors: { forbidden: 1 }, connections: 5 }), second(CURRENT, { in: 9, connections: 5 })];
    const s = mergeTraffic([a, b], NOW);
    expect(s.in.length).toBe(TRAFFIC_SECONDS);
    expect(s.start + (TRAFFIC_SECONDS - 1) * 1000).toBe(CURRENT);
    expect(s.in.slice(-3)).toEqual([2, 1, 9]);
    expect(s.out.slice(-3)).toEqual([3, 4, 0]);
    expect(s.errors.forbidden?.slice(-3)).toEqual([0, 1, 0]);
    // b's first sample (5) is carried back; a's 1 then 2, carried into the current second.
    expect(s.connections.slice(-3)).toEqual([6, 7, 7]);
    expect(s.connections[0]).toBe(6);
  });

  it("reads p50 and p99 from the merged latency histograms; null without calls", () => {
    const fast = second(LAST, { calls: 99, latency: [[latencyBin(2), 99]] });
    const slow = second(LAST, { calls: 1, latency: [[latencyBin(500), 1]] });
    const s = mergeTraffic([[fast], [slow]], NOW);
    expect(s.calls.at(-2)).toBe(100);
    expect(s.p50.at(-2)).toBeGreaterThanOrEqual(2);
    expect(s.p50.at(-2)).toBeLessThan(3);
    expect(s.p99.at(-2)).toBeLessThan(3);
    expect(s.p99.at(-3)).toBeNull();
    const tail = mergeTraffic(
      [
        [
          second(LAST, {
            calls: 2,
            latency: [
              [latencyBin(2), 1],
              [latencyBin(500), 1],
            ],
          }),
        ],
      ],
      NOW,
    );
    expect(tail.p99.at(-2)).toBeGreaterThanOrEqual(500);
  });
});
