import { describe, expect, it } from "vitest";
import { binUpperMs, latencyBin, quantileMs, TRAFFIC_SECONDS, TrafficStats } from "./traffic-stats";

const T0 = 1_764_000_000_000;

describe("TrafficStats", () => {
  it("counts frames in and out per second, and error frames by code", () => {
    let connections = 2;
    const t = new TrafficStats(() => connections, T0);
    t.received(T0);
    t.received(T0 + 10);
    t.sent('{"t":"ack","id":"1"}', T0 + 20);
    t.sent('{"t":"error","id":"c\\"7","code":"bad_request","message":"x"}', T0 + 30);
    t.sent('{"t":"error","code":"rate_limited","message":"slow down"}', T0 + 1500);
    connections = 3;
    expect(t.seconds(T0 + 1600)).toEqual([
      { t: T0, in: 2, out: 2, calls: 0, latency: [], errors: { bad_request: 1 }, connections: 2 },
      { t: T0 + 1000, in: 0, out: 1, calls: 0, latency: [], errors: { rate_limited: 1 }, connections: 3 },
    ]);
  });

  it("records finished calls with their latency, and failed ones by code", () => {
    const t = new TrafficStats(() => 1, T0);
    t.callDone(undefined, 3, T0);
    t.callDone("timeout", 30_000, T0 + 1);
    const [second] = t.seconds(T0 + 2);
    expect(second).toMatchObject({ calls: 2, errors: { timeout: 1 } });
    expect(quantileMs(second!.latency, 0.5)).toBeGreaterThanOrEqual(3);
    expect(quantileMs(second!.latency, 0.5)).toBeLessThan(4);
    expect(quantileMs(second!.latency, 0.99)).toBeGreaterThanOrEqual(30_000);
  });

  it("starts with a sample of the connections, so the time before the first traffic reads right", () => {
    const woke = new TrafficStats(() => 4, T0);
    expect(woke.seconds(T0 + 5000)).toEqual([
      { t: T0, in: 0, out: 0, calls: 0, latency: [], errors: {}, connections: 4 },
      { t: T0 + 5000, in: 0, out: 0, calls: 0, latency: [], errors: {}, connections: 4 },
    ]);
  });

  it("forgets seconds older than the window", () => {
    const t = new TrafficStats(() => 0, T0);
    t.received(T0);
    t.received(T0 + TRAFFIC_SECONDS * 1000);
    expect(t.seconds(T0 + TRAFFIC_SECONDS * 1000).map((s) => s.t)).toEqual([T0 + TRAFFIC_SECONDS * 1000]);
  });
});

describe("latency bins", () => {
  it("hold each duration below their upper edge, within 25%", () => {
    for (const ms of [0, 1, 2, 5, 17, 250, 4000, 30_000]) {
      const upper = binUpperMs(latencyBin(ms));
      expect(upper).toBeGreaterThanOrEqual(ms);
      expect(upper).toBeLessThanOrEqual(ms * 1.25 + 1.25);
    }
    expect(quantileMs([], 0.5)).toBeUndefined();
  });
});
