import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, refusal } from "./mqtt-device";

let s: TestStack;
let token: string;
let sdk: NexusClient;

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("bws", "u1");
  token = await s.token({ uid: "u1", app: "bws" });
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "webuo" });
});

afterAll(async () => {
  await sdk?.close();
  await s?.stop();
});

describe("MQTT over WebSocket (browser device simulators)", () => {
  it.each([4, 5] as const)("MQTT %s: a device on ws://.../mqtt publishes and receives like a TCP device", async (version) => {
    const dev = await connectDevice(s, { version, username: `devicews${version}`, token, websocket: true });
    const sub = await sdk.subscribe(`ws-up-${version}`);
    await dev.client.publishAsync(`nexus/channel/ws-up-${version}`, "from the browser", { qos: 1 });
    expect((await sub[Symbol.asyncIterator]().next()).value).toMatchObject({
      text: "from the browser",
      from: { resource: `devicews${version}` },
    });
    await dev.client.subscribeAsync(`nexus/channel/ws-down-${version}`, { qos: 1 });
    await sdk.publish(`ws-down-${version}`, "to the browser", { ack: true });
    expect((await dev.next(`nexus/channel/ws-down-${version}`)).text).toBe("to the browser");
    await sub.unsubscribe();
    await dev.end();
  });

  it("refuses a bad token over WebSocket as over TCP", async () => {
    expect(await refusal(connectDevice(s, { version: 5, username: "devicews", token: "nope", websocket: true }))).toBe(0x87);
  });

  it("speaks only the mqtt subprotocol", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.mqttWsPort}/mqtt`, "chat");
    const outcome = await new Promise<string>((resolve) => {
      ws.on("open", () => resolve(`open:${ws.protocol}`));
      ws.on("error", (err) => resolve(`error:${err.message}`));
    });
    expect(outcome).toMatch(/^error:/);
    ws.terminate();
  });
});
