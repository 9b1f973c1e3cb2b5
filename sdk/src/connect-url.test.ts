import { describe, expect, it } from "vitest";
import { connectUrl } from "./connect-url";

describe("connectUrl", () => {
  it("maps http(s) to ws(s) and appends /v1/connect with the token and kind", () => {
    expect(connectUrl("http://127.0.0.1:8787", "a.b.c", { kind: "default" })).toBe(
      "ws://127.0.0.1:8787/v1/connect?token=a.b.c&kind=default",
    );
    expect(connectUrl("https://nexus.example.com/", "t", { resource: "webuo7" })).toBe(
      "wss://nexus.example.com/v1/connect?token=t&resource=webuo7",
    );
  });

  it("keeps ws(s) URLs, a base path, and an explicit /v1/connect", () => {
    expect(connectUrl("wss://h/nexus", "t", { kind: "default" })).toBe("wss://h/nexus/v1/connect?token=t&kind=default");
    expect(connectUrl("ws://h:1/v1/connect", "t", { kind: "default" })).toBe("ws://h:1/v1/connect?token=t&kind=default");
  });

  it("prefers the exact resource over the kind", () => {
    expect(connectUrl("ws://h", "t", { kind: "default", resource: "defaultX1" })).toBe(
      "ws://h/v1/connect?token=t&resource=defaultX1",
    );
  });

  it("rejects other schemes with bad_request", () => {
    expect(() => connectUrl("ftp://h", "t", { kind: "default" })).toThrow(expect.objectContaining({ code: "bad_request" }));
  });
});
