import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, type TestDevice } from "./mqtt-device";
import { rawClient } from "./raw-client";

let s: TestStack;
let token: string;
let sdk: NexusClient;
let bystander: TestDevice;

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("bmal", "u1");
  token = await s.token({ uid: "u1", app: "bmal" });
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "default" });
  bystander = await connectDevice(s, { version: 5, username: "devicebystander", token });
  await bystander.client.subscribeAsync("nexus/channel/bmal-alive", { qos: 1 });
});

afterAll(async () => {
  bystander?.client.end(true);
  await sdk?.close();
  await s?.stop();
});

/** The bystander device still gets a message through the bridge: one bad device did not disturb it. */
async function bystanderStillServed(text: string): Promise<void> {
  await sdk.publish("bmal-alive", text, { ack: true });
  expect((await bystander.next("nexus/channel/bmal-alive")).text).toBe(text);
}

function connectPacket(version: 4 | 5, username: string) {
  return {
    cmd: "connect" as const,
    protocolId: "MQTT" as const,
    protocolVersion: version,
    clientId: `raw-${username}`,
    clean: true,
    keepalive: 30,
    username,
    password: Buffer.from(token),
  };
}

describe("malformed input closes only that device's connection", () => {
  it("garbage bytes instead of CONNECT", async () => {
    const raw = await rawClient(s.mqttPort!, 4);
    raw.sendBytes(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await raw.closed;
    await bystanderStillServed("after garbage");
  });

  it("a PUBLISH before CONNECT [MQTT-3.1.0-1]", async () => {
    const raw = await rawClient(s.mqttPort!, 4);
    raw.send({ cmd: "publish", topic: "nexus/channel/x", payload: "x", qos: 0, dup: false, retain: false });
    await raw.closed;
    await bystanderStillServed("after early publish");
  });

  it("a second CONNECT: DISCONNECT 0x82 protocol error [MQTT-3.1.0-2]", async () => {
    const raw = await rawClient(s.mqttPort!, 5);
    raw.send(connectPacket(5, "devicetwice"));
    expect(await raw.next()).toMatchObject({ cmd: "connack", reasonCode: 0 });
    raw.send(connectPacket(5, "devicetwice"));
    expect(await raw.next()).toMatchObject({ cmd: "disconnect", reasonCode: 0x82 });
    await raw.closed;
  });

  it("corrupt bytes after a good CONNECT: DISCONNECT 0x81 malformed packet, then close", async () => {
    const raw = await rawClient(s.mqttPort!, 5);
    raw.send(connectPacket(5, "devicecorrupt"));
    expect(await raw.next()).toMatchObject({ cmd: "connack", reasonCode: 0 });
    // A SUBSCRIBE with reserved flag bits set (must be 0010) is malformed [MQTT-3.8.1-1].
    raw.sendBytes(Buffer.from([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]));
    expect(await raw.next()).toMatchObject({ cmd: "disconnect", reasonCode: 0x81 });
    await raw.closed;
    await bystanderStillServed("after corrupt packet");
  });

  it("a packet larger than the maximum packet size: closed", async () => {
    const raw = await rawClient(s.mqttPort!, 4);
    raw.send(connectPacket(4, "devicebig"));
    expect(await raw.next()).toMatchObject({ cmd: "connack", returnCode: 0 });
    raw.send({
      cmd: "publish",
      topic: "nexus/channel/big",
      payload: Buffer.alloc(2 * 1024 * 1024, 0x61),
      qos: 0,
      dup: false,
      retain: false,
    });
    await raw.closed;
    await bystanderStillServed("after oversize packet");
  });
});

describe("QoS 2", () => {
  it("MQTT 5: a QoS 2 PUBLISH is refused with DISCONNECT 0x9B (CONNACK said Maximum QoS 1)", async () => {
    const raw = await rawClient(s.mqttPort!, 5);
    raw.send(connectPacket(5, "deviceqos2v5"));
    expect(await raw.next()).toMatchObject({ cmd: "connack", reasonCode: 0, properties: { maximumQoS: 1 } });
    raw.send({ cmd: "publish", topic: "nexus/channel/q2", payload: "x", qos: 2, messageId: 1, dup: false, retain: false });
    expect(await raw.next()).toMatchObject({ cmd: "disconnect", reasonCode: 0x9b });
    await raw.closed;
  });

  it("MQTT 3.1.1: a QoS 2 PUBLISH completes PUBREC/PUBREL/PUBCOMP and is forwarded exactly once, a re-sent duplicate included", async () => {
    const sub = await sdk.subscribe("bmal-q2");
    const iterator = sub[Symbol.asyncIterator]();
    const raw = await rawClient(s.mqttPort!, 4);
    raw.send(connectPacket(4, "deviceqos2v4"));
    expect(await raw.next()).toMatchObject({ cmd: "connack", returnCode: 0 });
    const publish = {
      cmd: "publish" as const,
      topic: "nexus/channel/bmal-q2",
      payload: "once",
      qos: 2 as const,
      messageId: 7,
      dup: false,
      retain: false,
    };
    raw.send(publish);
    expect(await raw.next()).toMatchObject({ cmd: "pubrec", messageId: 7 });
    raw.send({ ...publish, dup: true });
    expect(await raw.next()).toMatchObject({ cmd: "pubrec", messageId: 7 });
    raw.send({ cmd: "pubrel", messageId: 7 });
    expect(await raw.next()).toMatchObject({ cmd: "pubcomp", messageId: 7 });
    raw.send({ ...publish, payload: "next", messageId: 8 });
    expect(await raw.next()).toMatchObject({ cmd: "pubrec", messageId: 8 });
    expect((await iterator.next()).value.text).toBe("once");
    // The duplicate was not forwarded: the next message on the channel is the next publish.
    expect((await iterator.next()).value.text).toBe("next");
    raw.socket.destroy();
    await sub.unsubscribe();
  });
});
