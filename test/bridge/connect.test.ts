import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, refusal } from "./mqtt-device";

let s: TestStack;
let owner: string;
let watcher: NexusClient;

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("bconn", "u1");
  owner = await s.token({ uid: "u1", app: "bconn" });
  watcher = await connectSdk({ url: s.httpUrl, token: owner, kind: "default" });
});

afterAll(async () => {
  await watcher?.close();
  await s?.stop();
});

describe("CONNECT", () => {
  it("accepts a device with its token as password and its resource as username, as a block of kind device", async () => {
    for (const version of [4, 5] as const) {
      const dev = await connectDevice(s, { version, username: `device${version}c`, token: owner });
      const blocks = await watcher.find({ app: "bconn", kind: "device" });
      expect(blocks.map((b) => b.resource)).toContain(`device${version}c`);
      expect(blocks.find((b) => b.resource === `device${version}c`)).toMatchObject({
        app: "bconn",
        uid: "u1",
        role: "owner",
        kind: "device",
      });
      await dev.end();
    }
  });

  it("announces Maximum QoS 1 and no session state to MQTT 5 devices", async () => {
    const dev = await connectDevice(s, { version: 5, username: "deviceq", token: owner });
    // MQTT.js keeps the CONNACK's properties on the client once connected.
    const props = (dev.client as unknown as { connackPacket?: { sessionPresent: boolean; properties?: Record<string, unknown> } })
      .connackPacket;
    expect(props?.sessionPresent).toBe(false);
    expect(props?.properties).toMatchObject({ maximumQoS: 1, retainAvailable: true, sharedSubscriptionAvailable: false });
    await dev.end();
  });

  it("refuses a token the edge refuses: 3.1.1 return code 5, MQTT 5 reason 0x87 'not authorized'", async () => {
    expect(await refusal(connectDevice(s, { version: 4, username: "device1", token: "not-a-jwt" }))).toBe(5);
    expect(await refusal(connectDevice(s, { version: 5, username: "device1", token: "not-a-jwt" }))).toBe(0x87);
  });

  it("refuses a kind the token does not allow as 'not authorized'", async () => {
    const webOnly = await s.token({ uid: "u1", app: "bconn", kinds: ["webuo"] });
    expect(await refusal(connectDevice(s, { version: 5, username: "device1", token: webOnly }))).toBe(0x87);
    expect(await refusal(connectDevice(s, { version: 4, username: "device1", token: webOnly }))).toBe(5);
  });

  it("refuses an unknown kind or malformed resource in the username as 'bad user name or password'", async () => {
    expect(await refusal(connectDevice(s, { version: 5, username: "toaster1", token: owner }))).toBe(0x86);
    expect(await refusal(connectDevice(s, { version: 4, username: "device-1!", token: owner }))).toBe(4);
  });

  it("refuses a device without a password and a will outside nexus/channel/", async () => {
    expect(await refusal(connectDevice(s, { version: 5, username: "device1", token: "" }))).toBe(0x87);
    const badWill = { will: { topic: "status/device1", payload: Buffer.from("offline"), qos: 0 as const, retain: false } };
    expect(await refusal(connectDevice(s, { version: 5, username: "device1", token: owner, options: badWill }))).toBe(0x90);
  });

  it("gives a device with an empty username a device resource with a random suffix", async () => {
    const before = new Set((await watcher.find({ app: "bconn", kind: "device" })).map((b) => b.resource));
    // MQTT.js, like the specification for 3.1.1 [MQTT-3.1.2-22], sends a password only with a username.
    const v5 = await connectDevice(s, { version: 5, username: "", token: owner });
    const v4 = await connectDevice(s, { version: 4, username: "", token: owner });
    const fresh = (await watcher.find({ app: "bconn", kind: "device" })).map((b) => b.resource).filter((r) => !before.has(r));
    expect(fresh).toHaveLength(2);
    for (const resource of fresh) expect(resource).toMatch(/^device[A-Za-z0-9]{8}$/);
    await Promise.all([v5.end(), v4.end()]);
  });
});

describe("will and disconnects", () => {
  it("publishes the will to its channel on an unclean drop, not on a clean DISCONNECT", async () => {
    const sub = await watcher.subscribe("bconn-status");
    const will = { will: { topic: "nexus/channel/bconn-status", payload: Buffer.from("gone"), qos: 1 as const, retain: false } };
    const clean = await connectDevice(s, { version: 5, username: "devicewc", token: owner, options: will });
    await clean.end();
    const unclean = await connectDevice(s, { version: 4, username: "devicewu", token: owner, options: will });
    unclean.client.stream.destroy();
    const iterator = sub[Symbol.asyncIterator]();
    const first = await iterator.next();
    // Only the unclean drop's will arrives: the clean device's would have come first.
    expect(first.value).toMatchObject({ channel: "bconn-status", text: "gone" });
    expect(first.value.from.resource).toBe("devicewu");
    await sub.unsubscribe();
  });

  it("keeps a retained will as the channel's value: the device online-status pattern", async () => {
    const will = {
      will: { topic: "nexus/channel/bconn-online/devicest", payload: Buffer.from("offline"), qos: 1 as const, retain: true },
    };
    const dev = await connectDevice(s, { version: 4, username: "devicest", token: owner, options: will });
    await dev.client.publishAsync("nexus/channel/bconn-online/devicest", "online", { qos: 1, retain: true });
    const sub = await watcher.subscribe("bconn-online/devicest");
    const iterator = sub[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ text: "online", retained: true });
    dev.client.stream.destroy();
    expect((await iterator.next()).value).toMatchObject({ text: "offline", retained: false });
    await sub.unsubscribe();
    const late = await watcher.subscribe("bconn-online/devicest");
    expect((await late[Symbol.asyncIterator]().next()).value).toMatchObject({ text: "offline", retained: true });
    await late.unsubscribe();
  });

  // The bound is the test's timeout: the edge's close reached devices ~30 s late while `ws` waited for
  // workerd to end TCP (its default closeTimeout); now the edge session's close timeout is 100 ms.
  it("disconnects the older device with 0x8E when a second one takes the same resource (edge close 4009)", {
    timeout: 10_000,
  }, async () => {
    const first = await connectDevice(s, { version: 5, username: "devicedup", token: owner });
    const second = await connectDevice(s, { version: 5, username: "devicedup", token: owner });
    expect(await first.closed).toEqual({ disconnectReason: 0x8e });
    expect(second.client.connected).toBe(true);
    await second.end();
  });

  it("disconnects a device whose token expires (edge close 4001) with 0x87, and a 3.1.1 device by closing", {
    timeout: 10_000,
  }, async () => {
    const short = await s.token({ uid: "u1", app: "bconn", ttlSeconds: 2 });
    const v5 = await connectDevice(s, { version: 5, username: "deviceexp5", token: short });
    const v4 = await connectDevice(s, { version: 4, username: "deviceexp4", token: short });
    expect(await v5.closed).toEqual({ disconnectReason: 0x87 });
    expect(await v4.closed).toEqual({ disconnectReason: undefined });
  });

  it("closes a device that is silent for 1.5 times its keepalive and publishes its will", async () => {
    const sub = await watcher.subscribe("bconn-ka");
    const dev = await connectDevice(s, {
      version: 5,
      username: "deviceka",
      token: owner,
      options: {
        keepalive: 1,
        will: { topic: "nexus/channel/bconn-ka", payload: Buffer.from("timeout"), qos: 0, retain: false },
      },
    });
    // Stop MQTT.js from sending PINGREQ: the device goes silent while its socket stays open.
    (dev.client as unknown as { options: { keepalive: number } }).options.keepalive = 0;
    dev.client.stream.pause();
    const message = await sub[Symbol.asyncIterator]().next();
    expect(message.value).toMatchObject({ text: "timeout" });
    dev.client.end(true);
    await sub.unsubscribe();
  });
});
