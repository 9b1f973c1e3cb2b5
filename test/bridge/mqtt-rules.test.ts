import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { connect as connectSdk, type NexusClient } from "@qe/nexus-sdk";
import type { Packet } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, pubackCode, refusal, subackCodes, type TestDevice } from "./mqtt-device";
import { rawClient } from "./raw-client";

// MQTT as MQTT users expect it: response topics of their choosing, wildcards on private topics,
// usernames that say what is wrong, answers only from the connection asked, [MQTT-3.1.2-2], [MQTT-4.7.3-2].
let s: TestStack;
let token: string;
let worker: NexusClient;
const devices: TestDevice[] = [];

async function device(version: 4 | 5, username: string): Promise<TestDevice> {
  const dev = await connectDevice(s, { version, username, token });
  devices.push(dev);
  return dev;
}

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("brules", "u1");
  token = await s.token({ uid: "u1", app: "brules" });
  worker = await connectSdk({ url: s.httpUrl, token, resource: "defaultrw1" });
  await worker.serve("sum", ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
});

afterAll(async () => {
  for (const dev of devices) dev.client.end(true);
  await worker?.close();
  await s?.stop();
});

/** The reason string of the next packet of `cmd` the client receives. */
function nextReason(dev: TestDevice, cmd: Packet["cmd"]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onPacket = (p: Packet) => {
      if (p.cmd !== cmd) return;
      dev.client.off("packetreceive", onPacket);
      resolve((p as { properties?: { reasonString?: string } }).properties?.reasonString);
    };
    dev.client.on("packetreceive", onPacket);
  });
}

describe("response topics and wildcards on private topics", () => {
  it("answers on a Response Topic of the device's choosing, which it may subscribe to, with wildcards", async () => {
    const dev = await device(5, "devicert5");
    const granted = await subackCodes(
      dev.client.subscribeAsync({
        "replies/me": { qos: 1 },
        "replies/#": { qos: 1 },
        "nexus/api-result/#": { qos: 1 },
        "nexus/api-request/+": { qos: 1 },
      }),
    );
    expect(granted).toEqual([1, 1, 1, 1]);
    // Named target: the device now serves every method too, so a balanced call could go to it.
    await dev.client.publishAsync("nexus/api/brules/sum", JSON.stringify({ data: { a: 20, b: 22 }, resource: "defaultrw1" }), {
      qos: 1,
      properties: { responseTopic: "replies/me", correlationData: Buffer.from("c7") },
    });
    const answer = await dev.next("replies/me");
    expect(JSON.parse(answer.text)).toMatchObject({ ok: true, data: { sum: 42 }, from: { resource: "defaultrw1" } });
    expect(answer.packet.properties?.correlationData).toEqual(Buffer.from("c7"));
    // nexus/api-request/+ serves every method: a call reaches the device on the method's topic.
    dev.client.on("message", (topic, payload, packet) => {
      if (topic === "nexus/api-request/ping")
        dev.client.publish(
          packet.properties!.responseTopic!,
          JSON.stringify({ ok: true, data: JSON.parse(payload.toString()).data }),
        );
    });
    expect(await worker.api("brules", "ping", "hello", { resource: "devicert5" })).toBe("hello");
    // Serving every method puts the device in every method's pool: leave it before the next test.
    await dev.client.unsubscribeAsync("nexus/api-request/+");
  });

  it("works with mosquitto_rr, which subscribes to its -e topic and prints the answer", async () => {
    const { stdout } = await promisify(execFile)(
      "mosquitto_rr",
      [
        ...["-h", "127.0.0.1", "-p", String(s.mqttPort), "-V", "mqttv5", "-u", "devicerr", "-P", token],
        ...["-t", "nexus/api/brules/sum", "-e", "replies/rr", "-m", JSON.stringify({ data: { a: 1, b: 2 } }), "-W", "20"],
      ],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout.trim())).toMatchObject({ ok: true, data: { sum: 3 } });
  });

  it("refuses a Response Topic inside nexus/ other than nexus/api-result/ with PUBACK 0x99", async () => {
    const dev = await device(5, "devicertbad");
    const code = await pubackCode(dev.client, "nexus/api/brules/sum", JSON.stringify({ data: {} }), {
      properties: { responseTopic: "nexus/channel/x" },
    });
    expect(code).toBe(0x99);
  });
});

describe("usernames", () => {
  it("refuses a username that is not <kind><suffix> with 0x86 and a Reason String that states the rule", async () => {
    for (const username of ["mydevice", "sensor-kitchen", "toaster1"]) {
      const raw = await rawClient(s.mqttPort!, 5);
      raw.send({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 5,
        clientId: "c",
        clean: true,
        keepalive: 30,
        username,
        password: Buffer.from(token),
      });
      const connack = (await raw.next()) as { cmd: string; reasonCode?: number; properties?: { reasonString?: string } };
      expect(connack).toMatchObject({ cmd: "connack", reasonCode: 0x86 });
      expect(connack.properties?.reasonString).toMatch(/<kind><suffix>.*e\.g\. device01/);
      await raw.closed;
    }
  });

  it("MQTT 3.1.1: return code 4 (bad user name or password)", async () => {
    expect(await refusal(connectDevice(s, { version: 4, username: "mydevice", token }))).toBe(4);
  });
});

describe("answers to API requests", () => {
  it("refuses an answer from another connection with PUBACK 0x87 and a Reason String; the right one still counts", async () => {
    const serving = await device(5, "devicesrv");
    const intruder = await device(5, "deviceintr");
    await serving.client.subscribeAsync("nexus/api-request/work", { qos: 1 });
    const calling = worker.api("brules", "work", 1, { resource: "devicesrv" });
    const request = await serving.next("nexus/api-request/work");
    const { rid } = JSON.parse(request.text) as { rid: string };
    const reason = nextReason(intruder, "puback");
    expect(await pubackCode(intruder.client, `nexus/api-response/${rid}`, JSON.stringify({ ok: true, data: "forged" }))).toBe(
      0x87,
    );
    expect(await reason).toMatch(/this connection/);
    await serving.client.publishAsync(`nexus/api-response/${rid}`, JSON.stringify({ ok: true, data: "real" }), { qos: 1 });
    expect(await calling).toBe("real");
  });
});

describe("CONNECT that the bridge does not serve", () => {
  function connectBytes(name: string, level: number): Buffer {
    const body = Buffer.concat([
      Buffer.from([0, name.length]),
      Buffer.from(name, "latin1"),
      Buffer.from([level, 0x02, 0, 30, 0, 1, 0x63]),
    ]);
    return Buffer.concat([Buffer.from([0x10, body.length]), body]);
  }

  it("answers protocol levels 0, 2, 6 and 255 with CONNACK 1 and closes [MQTT-3.1.2-2]", async () => {
    for (const level of [0, 2, 6, 255]) {
      const raw = await rawClient(s.mqttPort!, 4);
      raw.sendBytes(connectBytes("MQTT", level));
      expect(await raw.next()).toMatchObject({ cmd: "connack", returnCode: 1 });
      await raw.closed;
    }
  });

  it("answers a protocol name other than MQTT/MQIsdp with CONNACK 1, or 0x84 at level 5, and closes", async () => {
    const old = await rawClient(s.mqttPort!, 4);
    old.sendBytes(connectBytes("MQTX", 4));
    expect(await old.next()).toMatchObject({ cmd: "connack", returnCode: 1 });
    await old.closed;
    const v5 = await rawClient(s.mqttPort!, 5);
    v5.sendBytes(connectBytes("AMQP", 5));
    expect(await v5.next()).toMatchObject({ cmd: "connack", reasonCode: 0x84 });
    await v5.closed;
  });
});

describe("a NUL in a topic [MQTT-4.7.3-2]", () => {
  it("closes the connection: MQTT 5 with DISCONNECT 0x81 first, 3.1.1 at once", async () => {
    const v5 = await device(5, "devicenul5");
    v5.client.publish("nexus/channel/a\u0000b", "x", { qos: 0 });
    expect(await v5.closed).toEqual({ disconnectReason: 0x81 });
    const v4 = await device(4, "devicenul4");
    v4.client.subscribe("nexus/channel/a\u0000b");
    expect(await v4.closed).toEqual({ disconnectReason: undefined });
  });
});
