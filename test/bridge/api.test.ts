import { connect as connectSdk, type NexusClient, NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice, pubackCode, type TestDevice } from "./mqtt-device";

let s: TestStack;
let token: string;
let worker: NexusClient;
const devices: TestDevice[] = [];

async function device(version: 4 | 5, username: string, t = token): Promise<TestDevice> {
  const dev = await connectDevice(s, { version, username, token: t });
  devices.push(dev);
  return dev;
}

beforeAll(async () => {
  s = await startStack({ bridge: true });
  await s.createApp("bapi", "u1");
  await s.createApp("bother", "u9");
  token = await s.token({ uid: "u1", app: "bapi" });
  worker = await connectSdk({ url: s.httpUrl, token, resource: "defaultw1" });
  await worker.serve("sum", ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
  await worker.serve("fail", () => {
    throw new NexusError("app_error", "it broke");
  });
});

afterAll(async () => {
  for (const dev of devices) dev.client.end(true);
  await worker?.close();
  await s?.stop();
});

describe("API calls from devices", () => {
  it("MQTT 5: answers on the response topic with the correlation data and nexus-from", async () => {
    const dev = await device(5, "devicec5");
    await dev.client.subscribeAsync("nexus/api-result/#");
    const correlationData = Buffer.from("corr-1");
    await dev.client.publishAsync("nexus/api/bapi/sum", JSON.stringify({ data: { a: 2, b: 3 } }), {
      qos: 1,
      properties: { responseTopic: "nexus/api-result/dev5", correlationData },
    });
    const answer = await dev.next("nexus/api-result/dev5");
    expect(JSON.parse(answer.text)).toMatchObject({ ok: true, data: { sum: 5 }, from: { resource: "defaultw1" } });
    expect(answer.packet.properties?.correlationData).toEqual(correlationData);
    expect(answer.packet.properties?.userProperties?.["nexus-from"]).toBe(worker.jid);
  });

  it('MQTT 3.1.1: "id" in the payload, the answer on nexus/api-result/<id>; method in the payload when the topic has none', async () => {
    const dev = await device(4, "devicec4");
    await dev.client.subscribeAsync("nexus/api-result/+", { qos: 1 });
    await dev.client.publishAsync("nexus/api/bapi", JSON.stringify({ id: "c1", method: "sum", data: { a: 40, b: 2 } }), {
      qos: 1,
    });
    const answer = await dev.next("nexus/api-result/c1");
    expect(JSON.parse(answer.text)).toMatchObject({ id: "c1", ok: true, data: { sum: 42 } });
    expect(answer.packet.qos).toBe(1);
  });

  it("reports failures as ok:false with the contract's codes", async () => {
    const dev = await device(4, "devicee4");
    await dev.client.subscribeAsync("nexus/api-result/+");
    await dev.client.publishAsync("nexus/api/bapi/fail", JSON.stringify({ id: "e1", data: null }), { qos: 1 });
    await dev.client.publishAsync("nexus/api/bapi/nobody", JSON.stringify({ id: "e2" }), { qos: 1 });
    await dev.client.publishAsync("nexus/api/nosuchapp/sum", JSON.stringify({ id: "e3" }), { qos: 1 });
    expect(JSON.parse((await dev.next("nexus/api-result/e1")).text)).toMatchObject({
      ok: false,
      error: { code: "app_error", message: "it broke" },
    });
    expect(JSON.parse((await dev.next("nexus/api-result/e2")).text)).toMatchObject({
      ok: false,
      error: { code: "no_responders" },
    });
    expect(JSON.parse((await dev.next("nexus/api-result/e3")).text)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("refuses a payload that is not a JSON object with PUBACK 0x99 (MQTT 5)", async () => {
    const dev = await device(5, "devicej5");
    expect(await pubackCode(dev.client, "nexus/api/bapi/sum", "not json")).toBe(0x99);
  });

  it("finds the caller's own online blocks, the device included", async () => {
    const dev = await device(5, "devicef5");
    await dev.client.publishAsync("nexus/find", JSON.stringify({ app: "bapi" }), {
      qos: 1,
      properties: { responseTopic: "nexus/api-result/find" },
    });
    const answer = JSON.parse((await dev.next("nexus/api-result/find")).text) as {
      ok: boolean;
      data: { blocks: Array<{ resource: string }> };
    };
    expect(answer.ok).toBe(true);
    const resources = answer.data.blocks.map((b) => b.resource);
    expect(resources).toContain("devicef5");
    expect(resources).toContain("defaultw1");
  });
});

describe("API requests to devices", () => {
  it("MQTT 5: serving by subscription; the request carries the response topic, the answer goes back to the SDK caller", async () => {
    const dev = await device(5, "deviceserve5");
    await dev.client.subscribeAsync("nexus/api-request/temp", { qos: 1 });
    // SUBACK came after the edge acked the serve, so the call cannot miss the device.
    const calling = worker.api("bapi", "temp", { unit: "C" }, { resource: "deviceserve5" });
    const req = await dev.next("nexus/api-request/temp");
    const body = JSON.parse(req.text) as { rid: string; method: string; data: unknown; from: { jid: string } };
    expect(body).toMatchObject({ method: "temp", data: { unit: "C" }, from: { jid: worker.jid } });
    expect(req.packet.properties?.userProperties?.["nexus-from"]).toBe(worker.jid);
    expect(req.packet.properties?.correlationData?.toString()).toBe(body.rid);
    await dev.client.publishAsync(req.packet.properties!.responseTopic!, JSON.stringify({ ok: true, data: 21.5 }), {
      qos: 1,
      properties: { correlationData: req.packet.properties!.correlationData! },
    });
    expect(await calling).toBe(21.5);
  });

  it("MQTT 3.1.1: nexus/api-request serves every method; answers on nexus/api-response/<rid>, errors included", async () => {
    const dev = await device(4, "deviceserve4");
    await dev.client.subscribeAsync("nexus/api-request", { qos: 0 });
    const ok = worker.api("bapi", "anything", 1, { resource: "deviceserve4" });
    const r1 = JSON.parse((await dev.next("nexus/api-request")).text) as { rid: string; method: string };
    expect(r1.method).toBe("anything");
    await dev.client.publishAsync(`nexus/api-response/${r1.rid}`, JSON.stringify({ ok: true, data: "done" }), { qos: 1 });
    expect(await ok).toBe("done");

    const bad = worker.api("bapi", "other", null, { resource: "deviceserve4" });
    const r2 = JSON.parse((await dev.next("nexus/api-request")).text) as { rid: string };
    await dev.client.publishAsync(
      `nexus/api-response/${r2.rid}`,
      JSON.stringify({ ok: false, error: { code: "app_error", message: "sensor off" } }),
    );
    await expect(bad).rejects.toMatchObject({ code: "app_error", message: "sensor off" });
  });

  it("stops serving on UNSUBSCRIBE: the edge answers no_responders at once", async () => {
    const dev = await device(5, "deviceunserve");
    await dev.client.subscribeAsync("nexus/api-request/ping");
    await dev.client.unsubscribeAsync("nexus/api-request/ping");
    await expect(worker.api("bapi", "ping", null, { resource: "deviceunserve" })).rejects.toMatchObject({
      code: "no_responders",
    });
  });

  it("lets one device call another device through the edge", async () => {
    const server = await device(5, "devicesrv");
    await server.client.subscribeAsync("nexus/api-request/#");
    server.client.on("message", (topic, payload, packet) => {
      if (!topic.startsWith("nexus/api-request/")) return;
      const { data } = JSON.parse(payload.toString()) as { data: number };
      server.client.publish(packet.properties!.responseTopic!, JSON.stringify({ ok: true, data: data * 2 }));
    });
    const caller = await device(4, "devicecli");
    await caller.client.subscribeAsync("nexus/api-result/+");
    await caller.client.publishAsync("nexus/api/bapi/double", JSON.stringify({ id: "d1", resource: "devicesrv", data: 21 }));
    expect(JSON.parse((await caller.next("nexus/api-result/d1")).text)).toMatchObject({
      ok: true,
      data: 42,
      from: { resource: "devicesrv" },
    });
  });
});

describe("Directs", () => {
  it("delivers Directs to a device subscribed to nexus/direct, with nexus-from on MQTT 5", async () => {
    const dev5 = await device(5, "devicedir5");
    const dev4 = await device(4, "devicedir4");
    await Promise.all([dev5.client.subscribeAsync("nexus/direct", { qos: 1 }), dev4.client.subscribeAsync("nexus/direct")]);
    await worker.direct("bapi", "devicedir5", "reboot", { ack: true });
    await worker.direct("bapi", "devicedir4", "blink", { ack: true });
    const m5 = await dev5.next("nexus/direct");
    expect(m5.text).toBe("reboot");
    expect(m5.packet.properties?.userProperties?.["nexus-from"]).toBe(worker.jid);
    expect((await dev4.next("nexus/direct")).text).toBe("blink");
  });

  it("sends a device's Direct to the owner's worker, and says 0x10 when it is offline", async () => {
    const got = new Promise<{ text: string; from: string }>((resolve) => {
      const off = worker.onDirect((text, ctx) => {
        off();
        resolve({ text, from: ctx.from.resource });
      });
    });
    const dev = await device(5, "devicedo5");
    expect(await pubackCode(dev.client, "nexus/direct/bapi/defaultw1", "hello")).toBe(0);
    expect(await got).toEqual({ text: "hello", from: "devicedo5" });
    expect(await pubackCode(dev.client, "nexus/direct/bapi/defaultgone", "x")).toBe(0x10);
  });

  it("refuses a Direct into an app without a grant (0x87) and into an unknown app (0x90)", async () => {
    const dev = await device(5, "devicedf5");
    expect(await pubackCode(dev.client, "nexus/direct/bother/default1", "x")).toBe(0x87);
    expect(await pubackCode(dev.client, "nexus/direct/nosuchapp/default1", "x")).toBe(0x90);
  });

  it("reaches a user-role worker through nexus/direct/<app>/<uid>/<resource>", async () => {
    await s.admin("PUT", "/v1/admin/apps/bapi/grants/u2", {});
    const userToken = await s.token({ uid: "u2", app: "bapi" });
    const userWorker = await connectSdk({ url: s.httpUrl, token: userToken, resource: "defaultu2" });
    try {
      const got = new Promise<string>((resolve) => userWorker.onDirect((text) => resolve(text)));
      const dev = await device(4, "deviceu2", userToken);
      await dev.client.publishAsync("nexus/direct/bapi/u2/defaultu2", "to my worker", { qos: 1 });
      expect(await got).toBe("to my worker");
    } finally {
      await userWorker.close();
    }
  });
});
