import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";

// Two apps: "shop" owned by alice, "tools" owned by bob. carol uses both.
describe("Direct and Find over the wire", () => {
  let s: TestStack;
  const open = (uid: string, app: string, target: { kind: string } | { resource: string }) => s.open(uid, app, target);

  beforeAll(async () => {
    s = await startStack();
    await s.createApp("shop", "alice");
    await s.createApp("tools", "bob");
  });
  afterAll(() => s?.stop());

  it("delivers a Direct within an app with the sender's stamp, and acks when asked", async () => {
    const worker = await open("alice", "shop", { resource: "default1" });
    const panel = await open("alice", "shop", { kind: "webuo" });
    expect(await panel.request({ t: "direct", id: "d1", app: "shop", resource: "default1", data: "reboot" })).toEqual({
      t: "ack",
      id: "d1",
    });
    expect(await worker.next()).toEqual({ t: "direct", from: panel.welcome.from, data: "reboot" });
  });

  it("ignores a forged from", async () => {
    const worker = await open("alice", "shop", { resource: "default2" });
    const panel = await open("carol", "shop", { kind: "webxo" });
    panel.send({
      t: "direct",
      app: "shop",
      resource: "default2",
      data: "x",
      from: { jid: "shop-alice-owner@qepal.com/default9", uid: "alice" },
    });
    const got = await worker.next();
    expect(got.from).toEqual(panel.welcome.from);
    expect(got.from.uid).toBe("carol");
  });

  it("answers refusals only when an id was given, in the contract's order", async () => {
    const panel = await open("carol", "tools", { kind: "webuo" });
    expect(await panel.request({ t: "direct", id: "a", app: "nowhere", resource: "default1", data: "x" })).toMatchObject({
      t: "error",
      id: "a",
      code: "not_found",
    });
    // carol is in tools, not shop, and has no grant on shop: forbidden even though default1 is online.
    expect(await panel.request({ t: "direct", id: "b", app: "shop", resource: "default1", data: "x" })).toMatchObject({
      code: "forbidden",
    });
    expect(await panel.request({ t: "direct", id: "c", app: "tools", resource: "default77", data: "x" })).toMatchObject({
      code: "offline",
    });
    // Without an id, a refused Direct answers nothing: the next frame is the answer to a later request.
    panel.send({ t: "direct", app: "nowhere", resource: "default1", data: "x" });
    expect(await panel.request({ t: "find", id: "marker" })).toMatchObject({ t: "find.result", id: "marker" });
    expect(panel.queued()).toEqual([]);
  });

  it("reaches another app's worker with a grant, and stops when it is revoked", async () => {
    const worker = await open("bob", "tools", { resource: "godefault1" });
    const carol = await open("carol", "shop", { kind: "webuo" });
    expect(await carol.request({ t: "direct", id: "g0", app: "tools", resource: "godefault1", data: "x" })).toMatchObject({
      code: "forbidden",
    });
    expect((await s.admin("PUT", "/v1/admin/apps/tools/grants/carol", { kind: "purchase" })).status).toBe(200);
    expect(await carol.request({ t: "direct", id: "g1", app: "tools", resource: "godefault1", data: "hello" })).toEqual({
      t: "ack",
      id: "g1",
    });
    expect(await worker.next()).toMatchObject({ t: "direct", data: "hello", from: { app: "shop", uid: "carol" } });
    expect((await s.admin("DELETE", "/v1/admin/apps/tools/grants/carol")).status).toBe(200);
    expect(await carol.request({ t: "direct", id: "g2", app: "tools", resource: "godefault1", data: "x" })).toMatchObject({
      code: "forbidden",
    });
  });

  it("keeps one sender's Directs in order, within an app and across apps", async () => {
    await s.admin("PUT", "/v1/admin/apps/tools/grants/alice");
    const local = await open("alice", "shop", { resource: "xservice1" });
    const remote = await open("bob", "tools", { resource: "uservice1" });
    const sender = await open("alice", "shop", { resource: "default3" });
    for (let i = 0; i < 300; i++) {
      sender.send({ t: "direct", app: "shop", resource: "xservice1", data: String(i) });
      sender.send({ t: "direct", app: "tools", resource: "uservice1", data: String(i) });
    }
    for (const target of [local, remote]) {
      for (let i = 0; i < 300; i++) expect((await target.next()).data).toBe(String(i));
    }
  });

  it("reaches a user-role worker by uid and resource, for that uid and the owner only", async () => {
    const carolWorker = await open("carol", "shop", { resource: "pydefault1" });
    const carolPanel = await open("carol", "shop", { kind: "webxo" });
    const owner = await open("alice", "shop", { kind: "webuo" });
    const dave = await open("dave", "shop", { kind: "webxo" });
    const msg = (id: string) => ({ t: "direct", id, app: "shop", uid: "carol", resource: "pydefault1", data: id });
    expect(await carolPanel.request(msg("u1"))).toEqual({ t: "ack", id: "u1" });
    expect(await owner.request(msg("u2"))).toEqual({ t: "ack", id: "u2" });
    expect(await dave.request(msg("u3"))).toMatchObject({ code: "forbidden" });
    expect((await carolWorker.next()).data).toBe("u1");
    expect((await carolWorker.next()).data).toBe("u2");
  });

  it("refuses a Direct to a frontend with not_a_worker", async () => {
    const front = await open("alice", "shop", { kind: "webxo" });
    const sender = await open("alice", "shop", { kind: "webuo" });
    expect(
      await sender.request({ t: "direct", id: "f", app: "shop", resource: front.welcome.from.resource, data: "x" }),
    ).toMatchObject({
      t: "error",
      id: "f",
      code: "not_a_worker",
    });
  });

  it("finds the caller's own blocks across apps, with app and kind filters", async () => {
    const w = await open("erin", "shop", { resource: "default1" });
    const f = await open("erin", "tools", { kind: "webuo" });
    const all = await w.request({ t: "find", id: "f1" });
    expect(all.t).toBe("find.result");
    expect(all.blocks.map((b: any) => b.jid).sort()).toEqual([w.jid, f.jid].sort());
    expect(all.blocks[0]).toEqual({ ...all.blocks[0], since: expect.any(Number), role: "user" });
    expect((await w.request({ t: "find", id: "f2", app: "tools" })).blocks.map((b: any) => b.jid)).toEqual([f.jid]);
    expect((await f.request({ t: "find", id: "f3", kind: "default" })).blocks.map((b: any) => b.jid)).toEqual([w.jid]);
    await f.close();
    expect((await w.request({ t: "find", id: "f4" })).blocks.map((b: any) => b.jid)).toEqual([w.jid]);
  });

  it("lets the owner see every block of the app with scope app; others get forbidden", async () => {
    const bob = await open("bob", "tools", { kind: "webuo" });
    const other = await open("frank", "tools", { kind: "webxo" });
    const scoped = await bob.request({ t: "find", id: "s1", scope: "app" });
    expect(scoped.blocks.map((b: any) => b.jid)).toEqual(expect.arrayContaining([bob.jid, other.jid]));
    expect(scoped.blocks.every((b: any) => b.app === "tools")).toBe(true);
    expect(await other.request({ t: "find", id: "s2", scope: "app" })).toMatchObject({ t: "error", id: "s2", code: "forbidden" });
    expect(await bob.request({ t: "find", id: "s3", scope: "app", app: "shop" })).toMatchObject({ code: "forbidden" });
    expect(await bob.request({ t: "find", id: "s4", scope: "app", app: "ghost" })).toMatchObject({ code: "not_found" });
  });

  it("lists what each worker serves in Find, and no methods for frontends", async () => {
    const worker = await open("dave", "shop", { resource: "default5" });
    expect(await worker.request({ t: "serve", id: "s1", methods: ["sum", "status"] })).toMatchObject({ t: "ack" });
    const idle = await open("dave", "shop", { resource: "default6" });
    const everything = await open("dave", "shop", { resource: "default7" });
    await everything.request({ t: "serve", id: "s2", methods: ["*"] });
    const panel = await open("dave", "shop", { kind: "webuo" });
    const found = await panel.request({ t: "find", id: "f", app: "shop" });
    const byResource = Object.fromEntries(found.blocks.map((b: any) => [b.resource, b]));
    expect(byResource.default5.methods).toEqual(["status", "sum"]); // sorted
    expect(byResource.default6.methods).toEqual([]);
    expect(byResource.default7.methods).toEqual(["*"]);
    expect(byResource[panel.welcome.from.resource]).not.toHaveProperty("methods");
    await worker.request({ t: "serve", id: "s3", methods: [] });
    const after = await panel.request({ t: "find", id: "f2", app: "shop", kind: "default" });
    expect(after.blocks.find((b: any) => b.resource === "default5").methods).toEqual([]);
    await Promise.all([worker, idle, everything, panel].map((b) => b.close()));
  });
});
