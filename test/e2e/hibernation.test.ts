import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { openBlock } from "../support/ws-client";

// workerd evicts an idle Durable Object after about 10 s while keeping its hibernatable sockets.
const IDLE_MS = 15_000;

describe("after real hibernation", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
    await s.createApp("sleepy", "owner");
  });
  afterAll(() => s?.stop());

  const appStats = async () => (await s.admin("GET", "/v1/admin/stats")).body.apps.find((a: any) => a.app === "sleepy");

  it("routes API calls, Directs, channel messages and Find exactly as before", { timeout: IDLE_MS + 30_000 }, async () => {
    const token = await s.token({ uid: "owner", app: "sleepy" });
    const worker = await openBlock(s.connectUrlFor(token, { resource: "default1" }));
    await worker.request({ t: "serve", id: "s1", methods: ["sum"] });
    await worker.request({ t: "sub", id: "s2", channel: "sleepy-news" });
    const panel = await openBlock(s.connectUrlFor(token, { kind: "webuo" }));
    expect((await appStats()).messagesIn).toBe(2);

    // Idleness is the condition under test, so this wait is the test's subject, not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const woken = await appStats();
    expect(woken.connections).toBe(2); // the sockets stayed open...
    expect(woken.messagesIn).toBe(0); // ...while the object itself was evicted and is a new instance

    panel.send({ t: "api", id: "c1", app: "sleepy", method: "sum", data: { a: 2, b: 3 } });
    const req = await worker.next((f) => f.t === "api.req");
    expect(req).toMatchObject({ method: "sum", from: panel.welcome.from });
    worker.send({ t: "api.res", rid: req.rid, ok: true, data: 5 });
    expect(await panel.next((f) => f.id === "c1")).toMatchObject({ ok: true, data: 5, from: worker.welcome.from });

    expect(await panel.request({ t: "direct", id: "d1", app: "sleepy", resource: "default1", data: "hi" })).toEqual({
      t: "ack",
      id: "d1",
    });
    expect(await worker.next((f) => f.t === "direct")).toMatchObject({ data: "hi" });

    await panel.request({ t: "pub", id: "p1", channel: "sleepy-news", data: "fresh" });
    expect(await worker.next((f) => f.t === "msg")).toMatchObject({ channel: "sleepy-news", data: "fresh" });

    const found = await panel.request({ t: "find", id: "f1", scope: "app" });
    expect(found.blocks.map((b: any) => b.jid).sort()).toEqual([panel.jid, worker.jid].sort());
    await Promise.all([worker.close(), panel.close()]);
  });
});
