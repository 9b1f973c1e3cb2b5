import { describe, expect, it } from "vitest";
import { SequenceTally } from "./sequence-tally";

describe("SequenceTally", () => {
  it("counts first arrivals, repeats and arrivals behind a higher number", () => {
    const tally = new SequenceTally();
    for (const n of [0, 1, 1, 3, 2, 3, 5]) tally.receive(n);
    expect(tally.counts()).toEqual({ got: 5, duplicated: 2, outOfOrder: 1 });
    expect(tally.max).toBe(5);
  });

  it("names the expected numbers that never came", () => {
    const tally = new SequenceTally();
    for (const n of [0, 2, 4]) tally.receive(n);
    expect(tally.missing([0, 1, 2, 3, 4, 5])).toEqual([1, 3, 5]);
    expect(tally.has(2)).toBe(true);
    expect(tally.has(3)).toBe(false);
  });
});
