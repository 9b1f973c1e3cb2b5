import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type BridgeProcess, startBridgeProcess } from "./bridge-process";
import { connectDevice, type TestDevice } from "./mqtt-device";
import { rawClient } from "./raw-client";

// Hostile devices against a bridge in its own process (so its memory is its own): each is cut off,
// the bridge's RSS stays bounded, and a bystander device keeps being served throughout.
const QUEUE_BOUND = 256 * 1024;
const MiB = 1024 * 1024;

let s: TestStack;
let bridge: BridgeProcess;
let token: string;
let sdk: NexusClient;
let bystander: TestDevice;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("bhost", "u1");
  token = await s.token({ uid: "u1", app: "bhost" });
  bridge = await startBridgeProcess(s.httpUrl, ["--max-queued-bytes", String(QUEUE_BOUND)]);
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "default" });
  bystander = await connectDevice({ mqttPort: bridge.port, mqttWsPort: undefined }, { version: 5, username: "devicebys", token });
  await bystander.client.subscribeAsync("nexus/channel/bhost-alive", { qos: 1 });
});

afterAll(async () => {
  bystander?.client.end(true);
  await sdk?.close();
  await bridge?.stop();
  await s?.stop();
});

async function bystanderStillServed(text: string): Promise<void> {
  await sdk.publish("bhost-alive", text, { ack: true });
  expect((await bystander.next("nexus/channel/bhost-alive")).text).toBe(text);
}

function connectPacket(version: 4 | 5, username: string, extra: Record<string, unknown> = {}) {
  return {
    cmd: "connect" as const,
    protocolId: "MQTT" as const,
    protocolVersion: version,
    clientId: `raw-${username}`,
    clean: true,
    keepalive: 30,
    username,
    password: Buffer.from(token),
    ...extra,
  };
}

describe("hostile devices", () => {
  it("garbage before CONNECT and 2 MiB packets: each closed, the bridge's memory bounded", async () => {
    const before = bridge.rss();
    for (let i = 0; i < 20; i++) {
      const raw = await rawClient(bridge.port, 4);
      raw.sendBytes(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, ...Buffer.from("GET / HTTP/1.1\r\n")]));
      await raw.closed;
    }
    for (let i = 0; i < 5; i++) {
      const raw = await rawClient(bridge.port, 4);
      // A CONNECT of 2 MiB (remaining length 0x200000): the bridge stops reading past its 1 MiB packet limit.
      raw.sendBytes(Buffer.concat([Buffer.from([0x10, 0x80, 0x80, 0x80, 0x01]), Buffer.alloc(2 * MiB)]));
      await raw.closed;
    }
    await bystanderStillServed("after garbage and 2 MiB packets");
    expect(bridge.rss() - before).toBeLessThan(64 * MiB);
  });

  it("500 devices connecting at once are all accepted, and the bridge's RSS stays bounded", async () => {
    const before = bridge.rss();
    // 25 users of 20 devices each: within the edge's blocks-per-user quota.
    const tokens = await Promise.all(Array.from({ length: 25 }, (_, u) => s.token({ uid: `h${u}`, app: "bhost" })));
    const clients = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${bridge.port}`, {
          protocolVersion: i % 2 ? 5 : 4,
          username: `devicecrowd${i}`,
          password: tokens[i % 25],
          reconnectPeriod: 0,
          connectTimeout: 50_000,
        }),
      ),
    );
    expect(clients.filter((c) => c.connected)).toHaveLength(500);
    const peak = bridge.rss();
    await bystanderStillServed("with 500 more devices");
    await Promise.all(clients.map((c) => c.endAsync()));
    await bystanderStillServed("after 500 devices left");
    // Measured: about 50 MiB for 500 devices (an SDK client and an edge socket each).
    expect(peak - before).toBeLessThan(256 * MiB);
  }, 120_000);

  it("a device that never sends PINGREQ is closed at 1.5 x its keepalive with DISCONNECT 0x8D", async () => {
    const raw = await rawClient(bridge.port, 5);
    raw.send(connectPacket(5, "devicesilent", { keepalive: 1 }));
    expect(await raw.next()).toMatchObject({ cmd: "connack", reasonCode: 0 });
    expect(await raw.next()).toMatchObject({ cmd: "disconnect", reasonCode: 0x8d });
    await raw.closed;
    await bystanderStillServed("after a silent device");
  });

  it("a device that stops reading is cut off at the queue bound (its will published); others keep receiving", async () => {
    const wills = await sdk.subscribe("bhost-slow-will");
    const willArrived = wills[Symbol.asyncIterator]().next();
    const slow = await rawClient(bridge.port, 4);
    slow.send(
      connectPacket(4, "deviceslow", {
        will: { topic: "nexus/channel/bhost-slow-will", payload: Buffer.from("cut off"), qos: 0, retain: false },
      }),
    );
    expect(await slow.next()).toMatchObject({ cmd: "connack", returnCode: 0 });
    slow.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "nexus/channel/bhost-flood", qos: 0 }] });
    expect(await slow.next()).toMatchObject({ cmd: "suback", granted: [0] });
    await bystander.client.subscribeAsync("nexus/channel/bhost-flood", { qos: 0 });
    // A half-open link: the device's socket stays open and reads nothing more.
    slow.socket.pause();
    const chunk = "x".repeat(60 * 1024);
    const count = 400; // 24 MiB: more than the kernel's socket buffers and the bridge's bound together
    for (let i = 0; i < count; i++) await sdk.publish("bhost-flood", `${i}:${chunk}`, { ack: i % 50 === 49 });
    expect((await willArrived).value).toMatchObject({ text: "cut off", from: { resource: "deviceslow" } });
    let last = "";
    while (!last.startsWith(`${count - 1}:`)) last = (await bystander.next("nexus/channel/bhost-flood")).text;
    await bystanderStillServed("after a slow device");
    expect(bridge.records.some((r) => r.event === "device.disconnected" && r.cause === "device reads too slowly")).toBe(true);
    slow.socket.destroy();
    await wills.unsubscribe();
  }, 120_000);
});
