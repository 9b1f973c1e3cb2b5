import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { openBlock } from "../support/ws-client";

describe("channel capabilities (pub/sub in the token)", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
    await s.createApp("caps", "owner1");
  });
  afterAll(() => s?.stop());

  const device = async (caps: { pub?: string[]; sub?: string[] }) => {
    const r = await s.admin("POST", "/v1/admin/tokens", { uid: "dev1", app: "caps", ...caps });
    expect(r.status).toBe(200);
    return openBlock(s.connectUrlFor(r.body.token, { kind: "device" }));
  };

  it("lets a token publish and subscribe only where its patterns allow", async () => {
    const dev = await device({ pub: ["status/dev1", "telemetry/dev1/*"], sub: ["commands/dev1"] });
    const watcher = await s.open("owner1", "caps", { kind: "webuo" });
    for (const channel of ["status/dev1", "telemetry/dev1/temp", "status/dev2"]) {
      expect(await watcher.request({ t: "sub", id: `w-${channel}`, channel })).toMatchObject({ t: "ack" });
    }

    expect(await dev.request({ t: "pub", id: "p1", channel: "status/dev1", data: "online" })).toEqual({ t: "ack", id: "p1" });
    expect(await dev.request({ t: "pub", id: "p2", channel: "telemetry/dev1/temp", data: "21" })).toEqual({ t: "ack", id: "p2" });
    // Spoofing another device's status is refused, and nothing reaches its subscribers.
    expect(await dev.request({ t: "pub", id: "p3", channel: "status/dev2", data: "offline" })).toMatchObject({
      t: "error",
      id: "p3",
      code: "forbidden",
    });
    expect(await dev.request({ t: "sub", id: "s1", channel: "commands/dev1" })).toMatchObject({ t: "ack", id: "s1" });
    expect(await dev.request({ t: "sub", id: "s2", channel: "commands/dev2" })).toMatchObject({
      t: "error",
      id: "s2",
      code: "forbidden",
    });
    // A will is a later publish: it is held to the same capability.
    expect(await dev.request({ t: "will", id: "w1", channel: "status/dev2", data: "gone" })).toMatchObject({ code: "forbidden" });
    expect(await dev.request({ t: "will", id: "w2", channel: "status/dev1", data: "gone" })).toEqual({ t: "ack", id: "w2" });
    // A pub without id that is refused still says so (as NATS's permissions violation), without an id.
    dev.send({ t: "pub", channel: "elsewhere", data: "x" });
    expect(await dev.next((f) => f.t === "error")).toMatchObject({ code: "forbidden" });

    expect(await watcher.next((f) => f.t === "msg")).toMatchObject({ channel: "status/dev1", data: "online" });
    expect(await watcher.next((f) => f.t === "msg")).toMatchObject({ channel: "telemetry/dev1/temp", data: "21" });
    await watcher.request({ t: "find", id: "sync" });
    expect(watcher.queued().filter((f) => f.t === "msg")).toEqual([]);
  });

  it("allows every channel without the claims, and none with an empty list", async () => {
    const free = await device({});
    expect(await free.request({ t: "pub", id: "p", channel: "anything", data: "x" })).toEqual({ t: "ack", id: "p" });
    const mute = await device({ pub: [] });
    expect(await mute.request({ t: "pub", id: "p", channel: "anything", data: "x" })).toMatchObject({ code: "forbidden" });
    expect(await mute.request({ t: "sub", id: "s", channel: "anything" })).toMatchObject({ t: "ack" });
  });

  it("refuses malformed patterns when minting", async () => {
    for (const pub of ["status/dev1", ["a*b"], ["with space"], [7]]) {
      const r = await s.admin("POST", "/v1/admin/tokens", { uid: "dev1", app: "caps", pub });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("bad_request");
    }
  });
});
