import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { LogWatch } from "./log-watch";
import { connectDevice, type TestDevice } from "./mqtt-device";

let s: TestStack;
let token: string;
let sdk: NexusClient;
const logs = new LogWatch();
const devices: TestDevice[] = [];

beforeAll(async () => {
  s = await startStack({ bridge: true, bridgeLog: logs.sink });
  await s.createApp("brestart", "u1");
  token = await s.token({ uid: "u1", app: "brestart" });
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "default", reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
});

afterAll(async () => {
  for (const dev of devices) dev.client.end(true);
  await sdk?.close();
  await s?.stop();
});

function restored(resource: string, since: number) {
  return logs.waitFor((r) => r.event === "edge.restored" && String(r.jid).endsWith(`/${resource}`) && r.failed === 0, since);
}

function sdkConnected(): Promise<void> {
  if (sdk.state === "connected") return Promise.resolve();
  return new Promise((resolve) => {
    const off = sdk.on("state", (state) => {
      if (state === "connected") {
        off();
        resolve();
      }
    });
  });
}

describe("the edge restarted under connected devices", () => {
  it("keeps the devices connected and restores their subscriptions, served methods and Directs", async () => {
    const d5 = await connectDevice(s, { version: 5, username: "devicers5", token });
    const d4 = await connectDevice(s, { version: 4, username: "devicers4", token });
    devices.push(d5, d4);
    await Promise.all([
      d5.client.subscribeAsync(["nexus/channel/rs", "nexus/api-request/ping", "nexus/direct"], { qos: 1 }),
      d4.client.subscribeAsync("nexus/channel/rs", { qos: 0 }),
    ]);
    d5.client.on("message", (topic, _payload, packet) => {
      if (topic === "nexus/api-request/ping")
        d5.client.publish(packet.properties!.responseTopic!, JSON.stringify({ ok: true, data: "pong" }));
    });
    const dropped = new Promise<void>((resolve) => {
      const off = sdk.on("state", (state) => {
        if (state !== "connected") {
          off();
          resolve();
        }
      });
    });

    const since = logs.records.length;
    await s.restartEdge();
    await dropped;
    await Promise.all([restored("devicers5", since), restored("devicers4", since), sdkConnected()]);

    expect(d5.client.connected && d4.client.connected).toBe(true);
    await sdk.publish("rs", "after restart", { ack: true });
    expect((await d5.next("nexus/channel/rs")).text).toBe("after restart");
    expect((await d4.next("nexus/channel/rs")).text).toBe("after restart");
    expect(await sdk.api("brestart", "ping", null, { resource: "devicers5" })).toBe("pong");
    await sdk.direct("brestart", "devicers5", "still there?", { ack: true });
    expect((await d5.next("nexus/direct")).text).toBe("still there?");
  });

  it("delivers a QoS 1 publish made while the edge is down once it is back", async () => {
    const dev = await connectDevice(s, { version: 5, username: "devicedown", token });
    devices.push(dev);
    const since = logs.records.length;
    const restart = s.restartEdge();
    await logs.waitFor((r) => r.event === "edge.lost" && r.username === "devicedown", since);
    // Retained, so the SDK sees it whether it resubscribes before or after the bridge flushes it.
    const acked = dev.client.publishAsync("nexus/channel/during", "queued", { qos: 1, retain: true });
    await restart;
    await acked;
    await sdkConnected();
    const sub = await sdk.subscribe("during");
    expect((await sub[Symbol.asyncIterator]().next()).value).toMatchObject({ text: "queued", from: { resource: "devicedown" } });
    await sub.unsubscribe();
  });
});
