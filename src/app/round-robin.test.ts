import { describe, expect, it } from "vitest";
import { poolKey, RoundRobin } from "./round-robin";

describe("RoundRobin", () => {
  it("gives each of N candidates M/N ± 1 of M picks, per pool", () => {
    const rr = new RoundRobin();
    const counts = new Map<string, number>();
    const workers = ["a", "b", "c"];
    for (let i = 0; i < 100; i++) {
      const w = rr.pick("sum", workers)!;
      counts.set(w, (counts.get(w) ?? 0) + 1);
      rr.pick("other", workers);
    }
    for (const w of workers) expect(Math.abs((counts.get(w) ?? 0) - 100 / 3)).toBeLessThanOrEqual(1);
  });

  it("answers undefined with no candidates", () => {
    expect(new RoundRobin().pick("x", [])).toBeUndefined();
  });

  it("keeps one rotation for every method that only '*' workers serve, and at most maxPools", () => {
    const rr = new RoundRobin(100);
    const workers = ["a", "b"];
    const picks: string[] = [];
    for (let i = 0; i < 10_000; i++) picks.push(rr.pick(poolKey("u1", `random-${i}`, false), workers)!);
    expect(rr.size).toBe(1);
    expect(picks.filter((p) => p === "a")).toHaveLength(5000);
    for (let i = 0; i < 1000; i++) rr.pick(poolKey("u1", `named-${i}`, true), workers);
    expect(rr.size).toBe(100);
  });
});
