import { describe, expect, it } from "vitest";
import { percentile, rate, summarise } from "./stats";

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it("is NaN without samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarise", () => {
  it("sorts the samples and draws a 101-point curve", () => {
    const s = summarise([3, 1, 2]);
    expect(s).toMatchObject({ count: 3, p50: 2, p99: 3, max: 3, mean: 2 });
    expect(s.curve).toHaveLength(101);
    expect(s.curve[0]).toBe(1);
    expect(s.curve[100]).toBe(3);
  });
});

describe("rate", () => {
  it("divides events by seconds", () => {
    expect(rate(500, 1000, 1500)).toBe(1000);
    expect(rate(1, 5, 5)).toBeNaN();
  });
});
