import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";
import { connectUrl } from "./edge-url";

describe("connectUrl", () => {
  it("turns any form of the edge address into its /v1/connect WebSocket URL", () => {
    expect(connectUrl("http://127.0.0.1:8787", { resource: "device01" })).toBe(
      "ws://127.0.0.1:8787/v1/connect?resource=device01",
    );
    expect(connectUrl("https://nexus.example.com/", { kind: "device" })).toBe("wss://nexus.example.com/v1/connect?kind=device");
    expect(connectUrl("wss://nexus.example.com/v1/connect?x=1", { resource: "device2" })).toBe(
      "wss://nexus.example.com/v1/connect?resource=device2",
    );
  });
});

describe("backoffDelay", () => {
  it("grows the cap exponentially up to the maximum, with full jitter", () => {
    const o = { minMs: 100, maxMs: 3000 };
    expect(backoffDelay(0, o, () => 0.999)).toBe(99);
    expect(backoffDelay(3, o, () => 0.5)).toBe(400);
    expect(backoffDelay(20, o, () => 0.999)).toBe(2997);
    expect(backoffDelay(5, o, () => 0)).toBe(0);
  });
});
