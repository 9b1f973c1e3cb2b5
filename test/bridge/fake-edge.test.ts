import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Bridge, startBridge } from "../../bridge/src/index";
import { FakeEdge } from "../../sdk/src/testing/fake-edge";
import { connectDevice, pubackCode, refusal, subackCodes, type TestDevice } from "./mqtt-device";

// The bridge against a scripted edge: what the real edge does rarely or only under load
// (503 at connect, quotas, frames packed right behind `welcome`), on demand.
let edge: FakeEdge;
let bridge: Bridge;
let refuse: { status: number; code: string } | undefined;
let devices: TestDevice[] = [];

beforeAll(async () => {
  edge = await FakeEdge.start({ refuse: () => refuse });
  bridge = await startBridge({
    host: "127.0.0.1",
    port: 0,
    wsPort: 0,
    edgeUrl: edge.url,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
  });
});

afterEach(() => {
  refuse = undefined;
  for (const dev of devices) dev.client.end(true);
  devices = [];
});

afterAll(async () => {
  await bridge?.close();
  await edge?.stop();
});

async function device(version: 4 | 5, username: string): Promise<TestDevice> {
  const dev = await connectDevice({ mqttPort: bridge.port, mqttWsPort: bridge.wsPort }, { version, username, token: "t1" });
  devices.push(dev);
  return dev;
}

describe("the device's edge session (the SDK's client)", () => {
  it("sends the device's token in the Authorization header, never in the URL", async () => {
    const connecting = device(5, "devicehdr");
    const conn = await edge.nextConnection();
    await connecting;
    expect(conn.headers.authorization).toBe("Bearer t1");
    expect(conn.query.get("token")).toBeNull();
    expect(conn.query.get("resource")).toBe("devicehdr");
  });

  it("loses no frame that arrives right behind welcome", async () => {
    // The fake edge reads the kind from a resource ending in S<digits>.
    const connecting = device(5, "deviceS7");
    const first = await edge.nextConnection();
    const dev = await connecting;
    await dev.client.subscribeAsync("nexus/direct", { qos: 1 });
    first.socket.close(1012, "restarting");
    // The reconnect's welcome and a Direct leave in one burst, so `ws` emits both in one turn.
    const second = await edge.nextConnection();
    second.send({ t: "direct", from: first.identity, data: "right behind welcome" });
    expect((await dev.next("nexus/direct")).text).toBe("right behind welcome");
  });
});

describe("edge refusals and quotas as MQTT reason codes", () => {
  it("answers the edge's 503 at connect with CONNACK 0x88 'server unavailable' (3.1.1: 3), so devices retry", async () => {
    refuse = { status: 503, code: "unavailable" };
    expect(await refusal(device(5, "device503"))).toBe(0x88);
    expect(await refusal(device(4, "device503"))).toBe(3);
  });

  it("answers 429 quota_exceeded at connect (maxBlocksPerUser) with CONNACK 0x97", async () => {
    refuse = { status: 429, code: "quota_exceeded" };
    expect(await refusal(device(5, "device429"))).toBe(0x97);
  });

  it("answers quota_exceeded from the edge with SUBACK and PUBACK 0x97", async () => {
    const quiet = await FakeEdge.start({ autoAck: false });
    const strict = await startBridge({ host: "127.0.0.1", port: 0, wsPort: 0, edgeUrl: quiet.url });
    try {
      const connecting = connectDevice(
        { mqttPort: strict.port, mqttWsPort: strict.wsPort },
        { version: 5, username: "devicequota", token: "t1" },
      );
      const conn = await quiet.nextConnection();
      const dev = await connecting;
      devices.push(dev);
      const subscribing = subackCodes(dev.client.subscribeAsync("nexus/channel/one-too-many", { qos: 1 }));
      const sub = await conn.nextFrame((f) => f.t === "sub");
      conn.send({ t: "error", id: sub.id, code: "quota_exceeded", message: "maxSubscriptions (1000) reached" });
      expect(await subscribing).toEqual([0x97]);

      const publishing = pubackCode(dev.client, "nexus/channel/big-retained", "x", { retain: true });
      const pub = await conn.nextFrame((f) => f.t === "pub");
      conn.send({ t: "error", id: pub.id, code: "quota_exceeded", message: "retained bytes of the app reached" });
      expect(await publishing).toBe(0x97);
    } finally {
      await strict.close();
      await quiet.stop();
    }
  });
});
