import { describe, expect, it } from "vitest";
import { isWorkerKind, KINDS, parseResource, randomSuffix } from "./kinds";

describe("resource kinds", () => {
  it("splits kind and suffix", () => {
    expect(parseResource("default7Hx")).toEqual({ kind: "default", suffix: "7Hx" });
    expect(parseResource("webuo")).toEqual({ kind: "webuo", suffix: "" });
  });

  it("takes the longest matching prefix", () => {
    expect(parseResource("xdefaultRdndS5")).toEqual({ kind: "xdefault", suffix: "RdndS5" });
    expect(parseResource("pydefaultOWbhsd")).toEqual({ kind: "pydefault", suffix: "OWbhsd" });
    expect(parseResource("udevelopmentQsdE5x")).toEqual({ kind: "udevelopment", suffix: "QsdE5x" });
    expect(parseResource("xdevelopmentqWpK5s")).toEqual({ kind: "xdevelopment", suffix: "qWpK5s" });
  });

  it("rejects unknown kinds and bad suffixes", () => {
    expect(parseResource("printer1")).toBeUndefined();
    expect(parseResource("default-1")).toBeUndefined();
    expect(parseResource(`default${"a".repeat(33)}`)).toBeUndefined();
    expect(parseResource(`default${"a".repeat(32)}`)).toBeDefined();
  });

  it("knows which kinds are workers", () => {
    const workers = Object.keys(KINDS).filter(isWorkerKind).sort();
    expect(workers).toEqual([
      "default",
      "device",
      "godefault",
      "pydefault",
      "udevelopment",
      "uservice",
      "xdefault",
      "xdevelopment",
      "xservice",
    ]);
    expect(isWorkerKind("webuo")).toBe(false);
    expect(isWorkerKind("nope")).toBe(false);
  });

  it("makes 8-character alphanumeric suffixes", () => {
    const s = randomSuffix();
    expect(s).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(new Set(Array.from({ length: 200 }, () => randomSuffix())).size).toBe(200);
  });
});
