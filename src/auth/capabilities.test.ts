import { describe, expect, it } from "vitest";
import { ChannelCapability, capabilityProblem, MAX_PATTERNS } from "./capabilities";

describe("ChannelCapability", () => {
  it("allows exact names and prefixes ending in *", () => {
    const cap = ChannelCapability.parse(["status/dev1", "telemetry/dev1/*"]);
    expect(cap.allows("status/dev1")).toBe(true);
    expect(cap.allows("status/dev10")).toBe(false);
    expect(cap.allows("telemetry/dev1/temp")).toBe(true);
    expect(cap.allows("telemetry/dev1/")).toBe(true);
    expect(cap.allows("telemetry/dev2/temp")).toBe(false);
  });

  it("allows everything with *, nothing with an empty list", () => {
    expect(ChannelCapability.parse(["*"]).allows("anything")).toBe(true);
    expect(ChannelCapability.parse([]).allows("anything")).toBe(false);
  });

  it("refuses what is not a list of patterns", () => {
    expect(capabilityProblem("prices")).toMatch(/array/);
    expect(capabilityProblem(["a*b"])).toMatch(/prefixes ending in \*/);
    expect(capabilityProblem(["has space"])).toMatch(/channel names/);
    expect(capabilityProblem([""])).toMatch(/channel names/);
    expect(capabilityProblem([1])).toMatch(/channel names/);
    expect(capabilityProblem(Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `c${i}`))).toMatch(/at most/);
    expect(capabilityProblem(["prices", "news/*", "*"])).toBeUndefined();
  });
});
