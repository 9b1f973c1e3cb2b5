import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AppObject } from "../../src/app/app-object";
import { admin, connectBlock, token } from "./helpers";

describe("app object", () => {
  it("routes exactly as before when rebuilt from storage and attachments (as after hibernation)", async () => {
    await admin("PUT", "/v1/admin/apps/hib", { owner: "o1" });
    const tok = await token("o1", "hib");
    const worker = await connectBlock(tok, "resource=default1");
    worker.send({ t: "serve", id: "s1", methods: ["sum"] });
    await worker.next((f) => f.id === "s1");
    worker.send({ t: "sub", id: "s2", channel: "hib-news" });
    await worker.next((f) => f.id === "s2");
    const client = await connectBlock(tok, "kind=webuo");
    const clientKey = `r:o1/${client.welcome.from.resource}`;

    // A new instance over the same state has nothing in memory, exactly like a woken object.
    const result = await runInDurableObject(env.APP.getByName("hib"), async (_live: AppObject, state) => {
      const fresh = new AppObject(state, env);
      const [clientSocket] = state.getWebSockets(clientKey);
      await fresh.webSocketMessage(
        clientSocket!,
        JSON.stringify({ t: "direct", app: "hib", resource: "default1", data: "after-wake", id: "d1" }),
      );
      void fresh.webSocketMessage(
        clientSocket!,
        JSON.stringify({ t: "api", id: "c1", app: "hib", method: "sum", data: { a: 1 }, timeoutMs: 300 }),
      );
      return {
        delivered: fresh.rpcDeliverBatch("hib", "hib-news", [
          { text: '{"t":"msg","channel":"hib-news","data":"x","seq":1}', seq: 1 },
        ]),
        blocks: fresh
          .rpcBlocks("hib", "o1", undefined)
          .map((b) => b.jid)
          .sort(),
      };
    });

    const direct = await worker.next((f) => f.t === "direct");
    expect(direct).toEqual({ t: "direct", from: client.welcome.from, data: "after-wake" });
    expect(await client.next((f) => f.id === "d1")).toEqual({ t: "ack", id: "d1" });
    const req = await worker.next((f) => f.t === "api.req");
    expect(req).toMatchObject({ method: "sum", from: client.welcome.from, data: { a: 1 } });
    expect(result.delivered).toBe(1);
    expect(await worker.next((f) => f.t === "msg")).toMatchObject({ channel: "hib-news", data: "x" });
    expect(result.blocks).toEqual([client.welcome.jid, worker.welcome.jid].sort());
    // The rebuilt object holds the call it routed: unanswered, it times out there.
    expect(await client.next((f) => f.id === "c1")).toMatchObject({ t: "api.result", ok: false, error: { code: "timeout" } });
  });

  it("keeps the registry in storage", async () => {
    await admin("PUT", "/v1/admin/apps/reg", { owner: "boss" });
    await admin("PUT", "/v1/admin/apps/reg/grants/fan", { kind: "purchase" });
    const entry = await runInDurableObject(env.APP.getByName("reg"), (_live: AppObject, state) =>
      new AppObject(state, env).adminGet("reg"),
    );
    expect(entry).toMatchObject({ app: "reg", owner: "boss", grants: [{ uid: "fan", kind: "purchase" }] });
  });

  it("stamps the role from the registry and restamps it when the app is re-owned", async () => {
    await admin("PUT", "/v1/admin/apps/roles", { owner: "first" });
    const second = await connectBlock(await token("second", "roles"), "resource=default1");
    expect(second.welcome.from.role).toBe("user");
    await admin("PUT", "/v1/admin/apps/roles", { owner: "second" });
    second.send({ t: "find", id: "f1" });
    const found = await second.next((f) => f.id === "f1");
    expect(found.blocks[0]).toMatchObject({ uid: "second", role: "owner", jid: "roles-second-owner@qepal.com/default1" });
  });

  it("answers bad input with error frames and keeps the connection", async () => {
    const b = await connectBlock(await token("u1", "badin"), "kind=webuo");
    b.ws.send(new Uint8Array([1, 2, 3]));
    expect(await b.next()).toMatchObject({ t: "error", code: "bad_request", message: expect.stringContaining("text") });
    b.send({ t: "pub", id: "big", channel: "c", data: "x".repeat(5000) }); // NEXUS_MAX_FRAME_BYTES is 4096 here
    expect(await b.next()).toMatchObject({ t: "error", id: "big", code: "too_large" });
    b.send({ t: "serve", id: "s", methods: ["m"] });
    expect(await b.next()).toMatchObject({ t: "error", id: "s", code: "not_a_worker" });
    b.send({ t: "find", id: "still-here" });
    expect(await b.next()).toMatchObject({ t: "find.result", id: "still-here" });
  });

  it("limits each connection's rate and closes sustained abuse with 4008", async () => {
    // This pool runs with NEXUS_RATE_BURST=20 and abuse limit = burst.
    const b = await connectBlock(await token("u1", "flood"), "kind=webuo");
    const closed = new Promise<number>((resolve) => b.ws.addEventListener("close", (e) => resolve(e.code)));
    for (let i = 0; i < 60; i++) b.send({ t: "find", id: `f${i}` });
    const limited = await b.next((f) => f.code === "rate_limited");
    expect(limited.id).toMatch(/^f\d+$/);
    expect(await closed).toBe(4008);
  });
});
