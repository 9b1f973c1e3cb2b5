// How late the bridge tells a device that the edge ended its block: npx tsx bridge/bench/close-latency.ts
// Token expiry: from the token's `exp` to the device's DISCONNECT 0x87. Takeover: from the new device's
// CONNECT (and from its CONNACK) to the old device's DISCONNECT 0x8E. Bridge crash: from SIGKILL of a
// bridge process with 20 devices to the edge's publishing of the 20th will. Five trials each, in ms.
import { connect as connectSdk } from "@qe/nexus-sdk";
import mqtt from "mqtt";
import { startBridgeProcess } from "../../test/bridge/bridge-process";
import { startStack } from "../../test/support/stack";

const stack = await startStack({ bridge: true });
const url = `mqtt://127.0.0.1:${stack.mqttPort}`;

function disconnected(client: mqtt.MqttClient): Promise<number> {
  return new Promise((resolve) => client.once("disconnect", () => resolve(performance.now() + performance.timeOrigin)));
}

try {
  await stack.createApp("bclose", "u1");
  const token = await stack.token({ uid: "u1", app: "bclose" });
  const expiry: number[] = [];
  const takeoverFromConnect: number[] = [];
  const takeoverFromConnack: number[] = [];
  for (let i = 0; i < 5; i++) {
    const short = await stack.token({ uid: "u1", app: "bclose", ttlSeconds: 2 });
    const exp = JSON.parse(Buffer.from(short.split(".")[1]!, "base64url").toString()).exp * 1000;
    const dev = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      username: `deviceexp${i}`,
      password: short,
      reconnectPeriod: 0,
    });
    expiry.push((await disconnected(dev)) - exp);
    dev.end(true);

    const old = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      username: `devicetk${i}`,
      password: token,
      reconnectPeriod: 0,
    });
    const gone = disconnected(old);
    const start = performance.now() + performance.timeOrigin;
    const fresh = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      username: `devicetk${i}`,
      password: token,
      reconnectPeriod: 0,
    });
    const connacked = performance.now() + performance.timeOrigin;
    const at = await gone;
    takeoverFromConnect.push(at - start);
    takeoverFromConnack.push(at - connacked);
    old.end(true);
    await fresh.endAsync();
  }
  const crash: number[] = [];
  const sdk = await connectSdk({ url: stack.httpUrl, token, kind: "default" });
  for (let trial = 0; trial < 5; trial++) {
    const bridge = await startBridgeProcess(stack.httpUrl);
    const channel = `bclose-wills-${trial}`;
    const sub = await sdk.subscribe(channel);
    const devices = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${bridge.port}`, {
          username: `devicecr${trial}x${i}`,
          password: token,
          reconnectPeriod: 0,
          will: { topic: `nexus/channel/${channel}`, payload: Buffer.from("gone"), qos: 1, retain: false },
        }),
      ),
    );
    const start = performance.now();
    await bridge.stop("SIGKILL");
    let n = 0;
    for await (const _ of sub) if (++n === 20) break;
    crash.push(performance.now() - start);
    for (const d of devices) d.end(true);
  }
  await sdk.close();
  const show = (xs: number[]) => xs.map((x) => Math.round(x)).join(", ");
  console.log(`token expiry -> DISCONNECT 0x87 (ms after exp): ${show(expiry)}`);
  console.log(`takeover CONNECT -> old device's DISCONNECT 0x8E (ms): ${show(takeoverFromConnect)}`);
  console.log(`takeover CONNACK -> old device's DISCONNECT 0x8E (ms): ${show(takeoverFromConnack)}`);
  console.log(`bridge SIGKILL -> the edge published all 20 wills (ms): ${show(crash)}`);
} finally {
  await stack.stop();
}
