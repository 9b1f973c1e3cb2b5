import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff";

describe("Backoff", () => {
  it("draws each delay uniformly below an exponentially growing ceiling (full jitter)", () => {
    const draws = [0.5, 0.5, 0.5, 0.999, 0];
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2, random: () => draws.shift()! });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 100, 200, 799, 0]);
  });

  it("never exceeds the cap however many attempts fail", () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    const delays = Array.from({ length: 2000 }, () => backoff.next());
    expect(Math.max(...delays)).toBe(999);
    expect(delays.slice(4).every((d) => d === 999)).toBe(true);
  });

  it("starts over after reset", () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    expect(backoff.ceiling()).toBe(400);
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it("uses Math.random by default and stays within [0, ceiling)", () => {
    const backoff = new Backoff({ initialDelayMs: 10, maxDelayMs: 10 });
    for (let i = 0; i < 100; i++) {
      const d = backoff.next();
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(10);
    }
  });

  it("defaults to 500 ms doubling to a 2 s cap, so a client is back within 2 s of the edge", () => {
    const backoff = new Backoff({ random: () => 0.999999 });
    const ceilings = Array.from({ length: 6 }, () => {
      const ceiling = backoff.ceiling();
      backoff.next();
      return ceiling;
    });
    expect(ceilings).toEqual([500, 1000, 2000, 2000, 2000, 2000]);
  });
});
