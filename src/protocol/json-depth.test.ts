import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "./json-depth";

describe("nestsDeeperThan", () => {
  it("counts objects and arrays together", () => {
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(nestsDeeperThan(JSON.stringify({ s: "[[[[{{{{".repeat(20) }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'say \\"[[[[[[" ok' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: "\\", a: [[1]] }), 2)).toBe(true);
  });

  it("measures depth, not the count of brackets", () => {
    const wide = JSON.stringify(Array.from({ length: 500 }, () => [[1]]));
    expect(nestsDeeperThan(wide, 3)).toBe(false);
    expect(nestsDeeperThan(wide, 2)).toBe(true);
  });

  it("refuses a 100,000-deep text without recursion", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(nestsDeeperThan(`{"t":"api.res","rid":"r1","ok":true,"data":${deep}}`, 64)).toBe(true);
  });

  it("accepts exactly the bound", () => {
    const at = (d: number) => `${"[".repeat(d)}${"]".repeat(d)}`;
    expect(nestsDeeperThan(at(64), 64)).toBe(false);
    expect(nestsDeeperThan(at(65), 64)).toBe(true);
  });
});
