import { fileURLToPath } from "node:url";
import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSdkBuild } from "../../scripts/sdk-build";
import { launchChromium } from "../support/browser";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, type TestDevice } from "./mqtt-device";

// Real headless Chromium: a page on the SDK receives a device's data, and a page running MQTT.js
// over WebSocket is itself a device (a device simulator), against the real bridge and edge.

const MQTT_BROWSER_BUNDLE = fileURLToPath(new URL("../../node_modules/mqtt/dist/mqtt.min.js", import.meta.url));

let s: TestStack;
let browser: Browser | undefined;
let page: Page;
let token: string;
let sdk: NexusClient;
let device: TestDevice | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  // startStack copies sdk/dist into the site, so the browser build must exist first.
  await ensureSdkBuild();
  s = await startStack({ bridge: true });
  await s.createApp("bbrowser", "u1");
  token = await s.token({ uid: "u1", app: "bbrowser" });
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "default" });
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(`${s.httpUrl}/`);
});

afterAll(async () => {
  device?.client.end(true);
  await sdk?.close();
  await browser?.close();
  await s?.stop();
});

describe("browsers and devices", () => {
  it("a browser on the SDK receives a device's readings, the retained last value first", async () => {
    device = await connectDevice(s, { version: 5, username: "devicetemp", token });
    await device.client.publishAsync("nexus/channel/site1/temp", "20.5", { qos: 1, retain: true });
    // A string, not a function: Vite would rewrite a dynamic import() inside a function before it reaches the page.
    await page.evaluate(`(async () => {
      const { connect } = await import("/sdk/index.js");
      const nx = await connect({ url: location.origin, token: ${JSON.stringify(token)}, kind: "webuo" });
      window.readings = [];
      await nx.subscribe("site1/temp", (text, m) => window.readings.push(text + "|" + m.retained + "|" + m.from.resource));
    })()`);
    await device.client.publishAsync("nexus/channel/site1/temp", "21.0", { qos: 1 });
    await page.waitForFunction(() => (window as unknown as { readings: string[] }).readings.length >= 2);
    expect(await page.evaluate(() => (window as unknown as { readings: string[] }).readings)).toEqual([
      "20.5|true|devicetemp",
      "21.0|false|devicetemp",
    ]);
    expect(pageErrors).toEqual([]);
  });

  it("a browser device simulator (MQTT.js over WebSocket) publishes to and receives from Nexus blocks", async () => {
    await page.addScriptTag({ path: MQTT_BROWSER_BUNDLE });
    const sub = await sdk.subscribe("sim/out");
    await page.evaluate(
      async ({ port, t }) => {
        const mqtt = (window as unknown as { mqtt: any }).mqtt;
        const client = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
          protocolVersion: 5,
          username: "devicesim1",
          password: t,
          reconnectPeriod: 0,
        });
        const w = window as unknown as { simGot: string[] };
        w.simGot = [];
        client.on("message", (topic: string, payload: Uint8Array) =>
          w.simGot.push(`${topic}|${new TextDecoder().decode(payload)}`),
        );
        await client.subscribeAsync(["nexus/channel/sim/in", "nexus/direct"], { qos: 1 });
        await client.publishAsync("nexus/channel/sim/out", "hello from the simulator", { qos: 1 });
      },
      { port: s.mqttWsPort!, t: token },
    );
    expect((await sub[Symbol.asyncIterator]().next()).value).toMatchObject({
      text: "hello from the simulator",
      from: { resource: "devicesim1" },
    });
    await sdk.publish("sim/in", "set 22", { ack: true });
    await sdk.direct("bbrowser", "devicesim1", "reboot", { ack: true });
    await page.waitForFunction(() => (window as unknown as { simGot: string[] }).simGot.length >= 2);
    expect(await page.evaluate(() => (window as unknown as { simGot: string[] }).simGot)).toEqual([
      "nexus/channel/sim/in|set 22",
      "nexus/direct|reboot",
    ]);
    await sub.unsubscribe();
    expect(pageErrors).toEqual([]);
  });
});
