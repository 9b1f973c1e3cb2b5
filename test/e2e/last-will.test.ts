import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type Block, openBlock } from "../support/ws-client";

// Last wills held by the edge (contract "Last will"), over raw WebSockets against the real edge:
// published with the block's own identity when its connection ends any way but after clearing.

// workerd evicts an idle Durable Object after about 10 s while keeping its hibernatable sockets.
const IDLE_MS = 15_000;

let s: TestStack;
let watcher: Block;
let seq = 0;

beforeAll(async () => {
  s = await startStack({ vars: { NEXUS_MAX_FRAME_BYTES: "4096" } });
  await s.createApp("ewill", "owner1");
  watcher = await s.open("owner1", "ewill", { kind: "webuo" });
});

afterAll(() => s?.stop());

async function watch(channel: string): Promise<void> {
  const id = `s${++seq}`;
  expect(await watcher.request({ t: "sub", id, channel })).toMatchObject({ t: "ack", id });
}

/** The next message on `channel` the watcher gets. */
function nextOn(channel: string) {
  return watcher.next((f) => f.t === "msg" && f.channel === channel);
}

async function setWill(block: Block, channel: string, data: string, retain = false): Promise<void> {
  const id = `w${++seq}`;
  expect(await block.request({ t: "will", id, channel, data, retain })).toEqual({ t: "ack", id });
}

describe("last will", () => {
  it("is published with the block's identity when its connection drops", async () => {
    const channel = `status/${++seq}`;
    await watch(channel);
    const device = await s.open("owner1", "ewill", { kind: "device" });
    await setWill(device, channel, "offline");
    device.ws.terminate();
    expect(await nextOn(channel)).toMatchObject({ data: "offline", from: device.welcome.from });
  });

  it("is not published after the block cleared it, and a new will replaces the old", async () => {
    const channel = `status/${++seq}`;
    await watch(channel);
    const cleared = await s.open("owner1", "ewill", { kind: "device" });
    await setWill(cleared, channel, "never");
    expect(await cleared.request({ t: "will", id: "wc", clear: true })).toEqual({ t: "ack", id: "wc" });
    await cleared.close();
    const replaced = await s.open("owner1", "ewill", { kind: "device" });
    await setWill(replaced, channel, "first");
    await setWill(replaced, channel, "second");
    replaced.ws.terminate();
    // Had the cleared will or the replaced one been published, it would arrive first.
    expect(await nextOn(channel)).toMatchObject({ data: "second", from: replaced.welcome.from });
  });

  it("keeps a retained will as the channel's value (the device online-status pattern)", async () => {
    const channel = `online/${++seq}`;
    const device = await s.open("owner1", "ewill", { kind: "device" });
    await setWill(device, channel, "offline", true);
    await device.close();
    const late = await s.open("owner1", "ewill", { kind: "webuo" });
    expect(await late.request({ t: "sub", id: "s", channel })).toMatchObject({ t: "ack" });
    expect(await late.next((f) => f.t === "msg")).toMatchObject({ data: "offline", retained: true });
  });

  it("is published when the edge ends the connection: replaced (4009) and token expired (4001)", async () => {
    const channel = `status/${++seq}`;
    await watch(channel);
    const token = await s.token({ uid: "owner1", app: "ewill" });
    const first = await openBlock(s.connectUrlFor(token, { resource: "devicedup" }));
    await setWill(first, channel, "taken over");
    const second = await openBlock(s.connectUrlFor(token, { resource: "devicedup" }));
    expect((await first.closed).code).toBe(4009);
    expect(await nextOn(channel)).toMatchObject({ data: "taken over", from: first.welcome.from });
    await second.close();

    const short = await s.token({ uid: "owner1", app: "ewill", ttlSeconds: 2 });
    const expiring = await openBlock(s.connectUrlFor(short, { kind: "device" }));
    await setWill(expiring, channel, "expired");
    expect((await expiring.closed).code).toBe(4001);
    expect(await nextOn(channel)).toMatchObject({ data: "expired", from: expiring.welcome.from });
  });

  it("refuses a malformed will and one over maxFrameBytes, keeping the connection", async () => {
    const device = await s.open("owner1", "ewill", { kind: "device" });
    expect(await device.request({ t: "will", id: "b1", channel: "no spaces", data: "x" })).toMatchObject({
      t: "error",
      code: "bad_request",
    });
    expect(await device.request({ t: "will", id: "b2", channel: "c", data: "x".repeat(5000) })).toMatchObject({
      t: "error",
      code: "too_large",
    });
    await setWill(device, `status/${++seq}`, "fine");
    await device.request({ t: "will", id: "b3", clear: true });
    await device.close();
  });

  it("survives the app object's hibernation", { timeout: IDLE_MS + 30_000 }, async () => {
    const channel = `status/${++seq}`;
    await watch(channel);
    const device = await s.open("owner1", "ewill", { kind: "device" });
    await setWill(device, channel, "gone after sleeping");
    // Idleness is the condition under test, so this wait is the test's subject, not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const stats = (await s.admin("GET", "/v1/admin/stats")).body.apps.find((a: { app: string }) => a.app === "ewill");
    expect(stats.messagesIn).toBe(0); // a new instance of the app object: the will came from storage
    device.ws.terminate();
    expect(await nextOn(channel)).toMatchObject({ data: "gone after sleeping", from: device.welcome.from });
  });
});
