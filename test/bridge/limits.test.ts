import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, pubackCode, refusal, subackCodes, type TestDevice } from "./mqtt-device";

let s: TestStack;
let token: string;
const devices: TestDevice[] = [];

beforeAll(async () => {
  s = await startStack({
    bridge: true,
    vars: {
      NEXUS_MAX_FRAME_BYTES: "2048",
      NEXUS_RATE_PER_SEC: "5",
      NEXUS_RATE_BURST: "5",
      NEXUS_ABUSE_LIMIT: "1000",
      NEXUS_MAX_SUBSCRIPTIONS: "2",
      NEXUS_MAX_BLOCKS_PER_USER: "3",
    },
  });
  await s.createApp("blim", "u1");
  token = await s.token({ uid: "u1", app: "blim" });
});

afterAll(async () => {
  for (const dev of devices) dev.client.end(true);
  await s?.stop();
});

describe("the edge's limits, as a device sees them", () => {
  it("a publish over maxFrameBytes gets PUBACK 0x83 with the edge's reason, and the device stays connected", async () => {
    const dev = await connectDevice(s, { version: 5, username: "devicebig5", token });
    devices.push(dev);
    const reason = new Promise<string | undefined>((resolve) =>
      dev.client.on("packetreceive", (p) => {
        if (p.cmd === "puback" && p.reasonCode === 0x83) resolve(p.properties?.reasonString);
      }),
    );
    expect(await pubackCode(dev.client, "nexus/channel/big", "x".repeat(4000))).toBe(0x83);
    expect(await reason).toMatch(/^too_large/);
    expect(dev.client.connected).toBe(true);
  });

  it("publishes beyond the rate limit get PUBACK 0x97 (quota exceeded)", async () => {
    const dev = await connectDevice(s, { version: 5, username: "devicefast5", token });
    devices.push(dev);
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, k) => pubackCode(dev.client, "nexus/channel/fast", String(k))),
    );
    expect(codes.filter((c) => c === 0x97).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 0 || c === 0x97)).toBe(true);
  });

  it("a subscription past maxSubscriptions gets SUBACK 0x97 (quota exceeded); 3.1.1 gets 0x80", async () => {
    // Another user: u1 already has blocks of its own, and this stack allows 3 per user.
    const subs = await s.token({ uid: "u3", app: "blim" });
    const dev = await connectDevice(s, { version: 5, username: "devicesubs5", token: subs });
    devices.push(dev);
    const granted = await subackCodes(
      dev.client.subscribeAsync({ "nexus/channel/q1": { qos: 1 }, "nexus/channel/q2": { qos: 1 } }),
    );
    expect(granted).toEqual([1, 1]);
    expect(await subackCodes(dev.client.subscribeAsync("nexus/channel/q3", { qos: 1 }))).toEqual([0x97]);
    const old = await connectDevice(s, { version: 4, username: "devicesubs4", token: subs });
    devices.push(old);
    await old.client.subscribeAsync({ "nexus/channel/q1": { qos: 0 }, "nexus/channel/q2": { qos: 0 } });
    expect(await subackCodes(old.client.subscribeAsync("nexus/channel/q3", { qos: 0 }))).toEqual([0x80]);
  });

  it("a device past maxBlocksPerUser (the edge's 429 quota_exceeded) gets CONNACK 0x97; 3.1.1 gets 3", async () => {
    const other = await s.token({ uid: "u2", app: "blim" });
    for (const username of ["deviceq1", "deviceq2", "deviceq3"]) {
      devices.push(await connectDevice(s, { version: 5, username, token: other }));
    }
    expect(await refusal(connectDevice(s, { version: 5, username: "deviceq4", token: other }))).toBe(0x97);
    expect(await refusal(connectDevice(s, { version: 4, username: "deviceq4", token: other }))).toBe(3);
  });
});
