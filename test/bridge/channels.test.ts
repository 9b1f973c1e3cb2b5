import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, pubackCode, subackCodes, type TestDevice } from "./mqtt-device";

let s: TestStack;
let token: string;
let sdk: NexusClient;
const devices: TestDevice[] = [];

async function device(version: 4 | 5, username: string): Promise<TestDevice> {
  const dev = await connectDevice(s, { version, username, token });
  devices.push(dev);
  return dev;
}

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("bchan", "u1");
  token = await s.token({ uid: "u1", app: "bchan" });
  sdk = await connectSdk({ url: s.httpUrl, token, kind: "default" });
});

afterAll(async () => {
  for (const dev of devices) dev.client.end(true);
  await sdk?.close();
  await s?.stop();
});

describe.each([4, 5] as const)("channels over MQTT %s", (version) => {
  const v = version === 5 ? "5" : "311";

  it("delivers a device's QoS 0 and QoS 1 publishes to an SDK subscriber, in order, from the device's JID", async () => {
    const dev = await device(version, `devicep${v}`);
    const sub = await sdk.subscribe(`temp-${v}`);
    const it = sub[Symbol.asyncIterator]();
    dev.client.publish(`nexus/channel/temp-${v}`, "20.5", { qos: 0 });
    expect(await pubackCode(dev.client, `nexus/channel/temp-${v}`, "21.0")).toBe(0);
    const a = (await it.next()).value;
    const b = (await it.next()).value;
    expect([a.text, b.text]).toEqual(["20.5", "21.0"]);
    expect(b.seq).toBe(a.seq + 1);
    expect(a.from).toMatchObject({ app: "bchan", uid: "u1", resource: `devicep${v}`, kind: "device" });
    await sub.unsubscribe();
  });

  it("delivers SDK publishes to a subscribed device, with nexus-from on MQTT 5", async () => {
    const dev = await device(version, `devices${v}`);
    const granted = await dev.client.subscribeAsync(`nexus/channel/cmd-${v}`, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    await sdk.publish(`cmd-${v}`, "open", { ack: true });
    const m = await dev.next(`nexus/channel/cmd-${v}`);
    expect(m.text).toBe("open");
    expect(m.packet.retain).toBe(false);
    expect(m.packet.qos).toBe(1);
    if (version === 5) expect(m.packet.properties?.userProperties?.["nexus-from"]).toBe(sdk.jid);
    else expect(m.packet.properties).toBeUndefined();
  });

  it("maps the MQTT retain flag to retain, and a retained value reaches a new device subscriber with the retain flag", async () => {
    const pub = await device(version, `devicer${v}`);
    await pub.client.publishAsync(`nexus/channel/status-${v}`, "online", { qos: 1, retain: true });
    const late = await device(version, `devicel${v}`);
    await late.client.subscribeAsync(`nexus/channel/status-${v}`, { qos: 0 });
    const m = await late.next(`nexus/channel/status-${v}`);
    expect(m.text).toBe("online");
    expect(m.packet.retain).toBe(true);
    // The SDK sees the same retained value.
    const sub = await sdk.subscribe(`status-${v}`);
    expect((await sub[Symbol.asyncIterator]().next()).value).toMatchObject({ text: "online", retained: true });
    await sub.unsubscribe();
  });

  it("grants QoS 2 subscriptions as QoS 1, and stops delivering after UNSUBSCRIBE", async () => {
    const dev = await device(version, `deviceu${v}`);
    const granted = await dev.client.subscribeAsync(`nexus/channel/u-${v}`, { qos: 2 });
    expect(granted[0]?.qos).toBe(1);
    await sdk.publish(`u-${v}`, "one", { ack: true });
    expect((await dev.next(`nexus/channel/u-${v}`)).text).toBe("one");
    await dev.client.unsubscribeAsync(`nexus/channel/u-${v}`);
    // A marker on a second channel proves the edge has delivered everything published before it.
    await dev.client.subscribeAsync(`nexus/channel/marker-${v}`);
    await sdk.publish(`u-${v}`, "two", { ack: true });
    await sdk.publish(`marker-${v}`, "m", { ack: true });
    await dev.next(`nexus/channel/marker-${v}`);
    expect(dev.unread).toEqual([]);
  });

  it("delivers a device's message to another device on the same channel, and to itself", async () => {
    const a = await device(version, `devicea${v}`);
    const b = await device(version, `deviceb${v}`);
    await Promise.all([a.client.subscribeAsync(`nexus/channel/peer-${v}`), b.client.subscribeAsync(`nexus/channel/peer-${v}`)]);
    await a.client.publishAsync(`nexus/channel/peer-${v}`, "hi", { qos: 1 });
    expect((await b.next(`nexus/channel/peer-${v}`)).text).toBe("hi");
    expect((await a.next(`nexus/channel/peer-${v}`)).text).toBe("hi");
  });
});

describe("refusals", () => {
  it("answers a publish outside the mapping with PUBACK 0x90 on MQTT 5", async () => {
    const dev = await device(5, "devicebad5");
    const topics = ["sensors/temp", "nexus/unknown/x", "nexus/direct/bchan"];
    for (const topic of topics) {
      expect(await pubackCode(dev.client, topic, "x")).toBe(0x90);
    }
  });

  it("drops a 3.1.1 publish outside the mapping and keeps the device connected", async () => {
    const dev = await device(4, "devicebad4");
    await dev.client.publishAsync("sensors/temp", "x", { qos: 1 });
    const sub = await sdk.subscribe("after-bad");
    await dev.client.publishAsync("nexus/channel/after-bad", "still here", { qos: 1 });
    expect((await sub[Symbol.asyncIterator]().next()).value.text).toBe("still here");
    await sub.unsubscribe();
  });

  it("refuses wildcard channel filters (0xA2), shared subscriptions (0x9E) and other filters (0x8F) per filter", async () => {
    const dev = await device(5, "devicewild5");
    const granted = await subackCodes(
      dev.client.subscribeAsync({
        "nexus/channel/#": { qos: 1 },
        "$share/g/nexus/channel/a": { qos: 1 },
        "nexus/api/bchan": { qos: 1 },
        "nexus/channel/fine": { qos: 1 },
      }),
    );
    expect(granted).toEqual([0xa2, 0x9e, 0x8f, 1]);
    const old = await device(4, "devicewild4");
    expect(
      await subackCodes(old.client.subscribeAsync({ "nexus/channel/#": { qos: 1 }, "nexus/channel/fine": { qos: 0 } })),
    ).toEqual([0x80, 0]);
  });

  it("refuses a non-UTF-8 payload with 0x99", async () => {
    const dev = await device(5, "devicebin5");
    expect(await pubackCode(dev.client, "nexus/channel/bin", Buffer.from([0xff, 0xfe, 0x00]))).toBe(0x99);
  });
});
