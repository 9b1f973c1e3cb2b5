import { describe, expect, it } from "vitest";
import { RoundRobin } from "./round-robin";

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
});
