import { describe, expect, it } from "vitest";
import { OutboundCalls } from "./outbound-calls";

describe("OutboundCalls", () => {
  it("closes a call once, and reports a call cancelled by its caller leaving", () => {
    const calls = new OutboundCalls();
    calls.open("c1", "c1:a", "etest");
    calls.open("c1", "c1:b", "other");
    calls.open("c1", "c1:c", "other");
    calls.open("c2", "c2:a", "etest");
    expect(calls.close("c1", "c1:a")).toBe(true);
    expect(calls.close("c1", "c1:a")).toBe(false);
    expect(calls.takeAll("c1")).toEqual(new Map([["other", ["c1:b", "c1:c"]]]));
    expect(calls.close("c1", "c1:b")).toBe(false);
    expect(calls.takeAll("c2")).toEqual(new Map([["etest", ["c2:a"]]]));
    expect(calls.takeAll("nobody")).toEqual(new Map());
  });
});
