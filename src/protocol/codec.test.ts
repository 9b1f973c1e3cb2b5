import { describe, expect, it } from "vitest";
import { decodeClientFrame, exceedsBytes } from "./codec";

const MAX = 1024;
const decode = (frame: unknown) => decodeClientFrame(typeof frame === "string" ? frame : JSON.stringify(frame), MAX);

describe("client frame codec", () => {
  it("decodes every frame type", () => {
    expect(
      decode({ t: "api", id: "c1", app: "etest", method: "sum", data: { a: 1 }, resource: "default1", timeoutMs: 500 }),
    ).toEqual({
      ok: true,
      frame: { t: "api", id: "c1", app: "etest", method: "sum", data: { a: 1 }, resource: "default1", timeoutMs: 500 },
    });
    expect(decode({ t: "api.res", rid: "r1", ok: false, error: { code: "app_error", message: "x" } })).toMatchObject({
      ok: true,
    });
    expect(decode({ t: "serve", id: "s", methods: ["sum", "sum", "*"] })).toEqual({
      ok: true,
      frame: { t: "serve", id: "s", methods: ["sum", "*"] },
    });
    expect(decode({ t: "direct", app: "a", resource: "default1", data: "x" })).toMatchObject({ ok: true });
    expect(decode({ t: "sub", id: "s", channel: "prices/eu:1" })).toMatchObject({ ok: true });
    expect(decode({ t: "sub", id: "s", channel: "p", since: 37, epoch: "k3x9" })).toEqual({
      ok: true,
      frame: { t: "sub", id: "s", channel: "p", since: 37, epoch: "k3x9" },
    });
    expect(decode({ t: "sub", id: "s", channel: "p", since: 0 })).toEqual({
      ok: true,
      frame: { t: "sub", id: "s", channel: "p", since: 0 },
    });
    expect(decode({ t: "pub", channel: "p", data: "", retain: true, id: "p1" })).toMatchObject({
      ok: true,
      frame: { retain: true, id: "p1" },
    });
    expect(decode({ t: "find", id: "f", scope: "app", kind: "default" })).toMatchObject({ ok: true });
  });

  it("decodes a will and its clearing, and refuses a will without channel or data", () => {
    expect(decode({ t: "will", id: "w1", channel: "status/dev1", data: "offline", retain: true })).toEqual({
      ok: true,
      frame: { t: "will", id: "w1", channel: "status/dev1", data: "offline", retain: true },
    });
    expect(decode({ t: "will", id: "w2", clear: true })).toEqual({ ok: true, frame: { t: "will", id: "w2", clear: true } });
    expect(decode({ t: "will", id: "w3", channel: "bad channel!", data: "x" })).toMatchObject({ ok: false, id: "w3" });
    expect(decode({ t: "will", id: "w4", clear: false })).toMatchObject({ ok: false, code: "bad_request" });
    expect(decode({ t: "will", channel: "c", data: "x" })).toMatchObject({ ok: false, code: "bad_request" });
  });

  it("ignores a client's from", () => {
    const r = decode({ t: "pub", channel: "p", data: "x", from: { jid: "forged" } });
    expect(r.ok && "from" in r.frame).toBe(false);
  });

  it.each([
    ["not JSON", "{nope", undefined, "not valid JSON"],
    ["an array", "[1]", undefined, "JSON object"],
    ["unknown type", { t: "hello", id: "x1" }, "x1", "unknown frame type"],
    ["missing type", { id: "x2" }, "x2", '"t" is required'],
    ["api without method", { t: "api", id: "a1", app: "e" }, "a1", '"method" is required'],
    ["a bad app name", { t: "api", id: "a4", app: "Not An App", method: "m" }, "a4", "must match"],
    ["a bad uid", { t: "direct", id: "d2", app: "e", uid: "x y", resource: "default1", data: "x" }, "d2", "must match"],
    ["bad method name", { t: "api", id: "a2", app: "e", method: "a b" }, "a2", "must match"],
    ["negative timeout", { t: "api", id: "a3", app: "e", method: "m", timeoutMs: -1 }, "a3", "timeoutMs"],
    [
      "non-string direct data",
      { t: "direct", id: "d1", app: "e", resource: "default1", data: 5 },
      "d1",
      '"data" must be a string',
    ],
    ["bad channel name", { t: "sub", id: "s1", channel: "no spaces" }, "s1", "must match"],
    ["long channel name", { t: "sub", id: "s2", channel: "c".repeat(129) }, "s2", "must match"],
    ["non-string pub data", { t: "pub", id: "p1", channel: "c", data: { x: 1 } }, "p1", '"data" must be a string'],
    ["non-boolean retain", { t: "pub", id: "p2", channel: "c", data: "x", retain: "yes" }, "p2", "retain"],
    ["serve without array", { t: "serve", id: "v1", methods: "sum" }, "v1", "array"],
    ["bad scope", { t: "find", id: "f1", scope: "world" }, "f1", "scope"],
    ["sub without id", { t: "sub", channel: "c" }, undefined, '"id" is required'],
    ["negative since", { t: "sub", id: "s3", channel: "c", since: -1 }, "s3", '"since"'],
    ["fractional since", { t: "sub", id: "s4", channel: "c", since: 1.5 }, "s4", '"since"'],
    ["string since", { t: "sub", id: "s5", channel: "c", since: "3" }, "s5", '"since"'],
    ["non-string epoch", { t: "sub", id: "s6", channel: "c", since: 3, epoch: 7 }, "s6", '"epoch"'],
    ["api.res with bad ok", { t: "api.res", rid: "r", ok: "yes" }, undefined, '"ok"'],
  ])("refuses %s with bad_request", (_what, frame, id, message) => {
    const r = decode(frame);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_request");
    expect(r.id).toBe(id);
    expect(r.message).toContain(message);
  });

  it("refuses oversize frames with too_large and still echoes a leading id", () => {
    const r = decode({ t: "pub", id: "big1", channel: "c", data: "x".repeat(MAX) });
    expect(r).toMatchObject({ ok: false, code: "too_large", id: "big1" });
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect(exceedsBytes("é".repeat(600), 1024)).toBe(true); // 1200 bytes
    expect(exceedsBytes("é".repeat(500), 1024)).toBe(false); // 1000 bytes
    expect(exceedsBytes("a".repeat(1025), 1024)).toBe(true);
  });

  it("refuses nesting deeper than the bound with bad_request, before parsing, naming id or rid", () => {
    const deep = (d: number) => `${"[".repeat(d)}${"]".repeat(d)}`;
    const api = decodeClientFrame(`{"t":"api","id":"c9","app":"a","method":"m","data":${deep(64)}}`, 1_000_000);
    expect(api).toMatchObject({ ok: false, code: "bad_request", id: "c9", message: expect.stringContaining("64") });
    const res = decodeClientFrame(`{"t":"api.res","rid":"r7","ok":true,"data":${deep(10_000)}}`, 1_000_000);
    expect(res).toMatchObject({ ok: false, code: "bad_request", rid: "r7" });
    // 63 levels of data inside the frame's own object: exactly 64.
    expect(decodeClientFrame(`{"t":"api","id":"c8","app":"a","method":"m","data":${deep(63)}}`, 1_000_000).ok).toBe(true);
    expect(decodeClientFrame(`{"t":"api","id":"c7","app":"a","method":"m","data":${deep(3)}}`, 1_000_000, 3).ok).toBe(false);
  });

  it("names the rid of an oversize answer", () => {
    const r = decode({ t: "api.res", rid: "r3", ok: true, data: "x".repeat(MAX) });
    expect(r).toMatchObject({ ok: false, code: "too_large", rid: "r3" });
  });
});
