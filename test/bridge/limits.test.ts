import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, pubackCode, type TestDevice } from "./mqtt-device";

let s: TestStack;
let token: string;
const devices: TestDevice[] = [];

beforeAll(async () => {
  s = await startStack({
    bridge: true,
    vars: { NEXUS_MAX_FRAME_BYTES: "2048", NEXUS_RATE_PER_SEC: "5", NEXUS_RATE_BURST: "5", NEXUS_ABUSE_LIMIT: "1000" },
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
});
