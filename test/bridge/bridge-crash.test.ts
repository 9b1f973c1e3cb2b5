import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type BridgeProcess, startBridgeProcess } from "./bridge-process";

// Wills are held by the edge, so they survive the bridge: killed with SIGKILL, it publishes nothing,
// and the edge publishes every connected device's will when it sees the device's socket end.
let s: TestStack;
let bridge: BridgeProcess | undefined;
let sdk: NexusClient;
const clients: mqtt.MqttClient[] = [];

beforeAll(async () => {
  s = await startStack();
  await s.createApp("bcrash", "u1");
  sdk = await connectSdk({ url: s.httpUrl, token: await s.token({ uid: "u1", app: "bcrash" }), kind: "default" });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await bridge?.stop();
  await sdk?.close();
  await s?.stop();
});

describe("a bridge killed with SIGKILL", () => {
  it("leaves the edge to publish the wills of all 20 devices, each with its device's identity", async () => {
    bridge = await startBridgeProcess(s.httpUrl);
    const token = await s.token({ uid: "u1", app: "bcrash" });
    const sub = await sdk.subscribe("bcrash-wills");
    for (let i = 0; i < 20; i++) {
      clients.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${bridge.port}`, {
          protocolVersion: i % 2 ? 5 : 4,
          username: `devicecrash${i}`,
          password: token,
          reconnectPeriod: 0,
          will: { topic: "nexus/channel/bcrash-wills", payload: Buffer.from(`gone ${i}`), qos: 1, retain: false },
        }),
      );
    }
    // A clean DISCONNECT clears the will at the edge: this device's will must not come.
    const clean = await mqtt.connectAsync(`mqtt://127.0.0.1:${bridge.port}`, {
      username: "devicecrashclean",
      password: token,
      reconnectPeriod: 0,
      will: { topic: "nexus/channel/bcrash-wills", payload: Buffer.from("clean"), qos: 1, retain: false },
    });
    await clean.endAsync();

    await bridge.stop("SIGKILL");
    const wills = new Map<string, string>();
    for await (const message of sub) {
      wills.set(message.from.resource, message.text);
      if (wills.size === 20) break;
    }
    expect([...wills.entries()].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => [`devicecrash${i}`, `gone ${i}`] as [string, string]).sort(),
    );
    // The clean device's will was cleared: every message so far was one of the 20.
    expect(wills.has("devicecrashclean")).toBe(false);
  });
});
