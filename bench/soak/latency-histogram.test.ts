import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram";

describe("LatencyHistogram", () => {
  it("gives the run's percentiles within one bucket (1 %)", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    expect(h.count).toBe(1000);
    expect(h.percentile(50)).toBeGreaterThanOrEqual(50 * 0.99);
    expect(h.percentile(50)).toBeLessThanOrEqual(50 * 1.01);
    expect(h.percentile(99)).toBeGreaterThanOrEqual(99 * 0.99);
    expect(h.percentile(99)).toBeLessThanOrEqual(99 * 1.01);
    expect(h.percentile(100)).toBe(100);
    expect(h.max).toBe(100);
  });

  it("gives each second's exact percentiles and starts the next second empty", () => {
    const h = new LatencyHistogram();
    for (const v of [3, 1, 2, 4]) h.record(v);
    expect(h.drainSecond()).toEqual({ count: 4, p50: 2, p99: 4 });
    const empty = h.drainSecond();
    expect(empty.count).toBe(0);
    expect(empty.p50).toBeNaN();
    expect(h.count).toBe(4);
  });

  it("ignores what is not a latency", () => {
    const h = new LatencyHistogram();
    h.record(Number.NaN);
    h.record(-1);
    expect(h.count).toBe(0);
    expect(h.percentile(50)).toBeNaN();
  });
});
