// How late the bridge tells a device that the edge ended its block: npx tsx bridge/bench/close-latency.ts
// Token expiry: from the token's `exp` to the device's DISCONNECT 0x87. Takeover: from the new device's
// CONNECT (and from its CONNACK) to the old device's DISCONNECT 0x8E. Five trials each, in milliseconds.
import mqtt from "mqtt";
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
  const show = (xs: number[]) => xs.map((x) => Math.round(x)).join(", ");
  console.log(`token expiry -> DISCONNECT 0x87 (ms after exp): ${show(expiry)}`);
  console.log(`takeover CONNECT -> old device's DISCONNECT 0x8E (ms): ${show(takeoverFromConnect)}`);
  console.log(`takeover CONNACK -> old device's DISCONNECT 0x8E (ms): ${show(takeoverFromConnack)}`);
} finally {
  await stack.stop();
}
