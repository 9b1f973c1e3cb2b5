import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect, type NexusClient } from "./client";
import type { ChannelMessage } from "./options";
import { type FakeConnection, FakeEdge } from "./testing/fake-edge";

let edge: FakeEdge;
let nx: NexusClient;
let conn: FakeConnection;

beforeEach(async () => {
  edge = await FakeEdge.start();
  nx = await connect({ url: edge.url, token: "t", kind: "webuo", keepalive: false });
  conn = await edge.nextConnection();
});

afterEach(async () => {
  await nx.close();
  await edge.stop();
});

const from = {
  jid: "etest-u1-owner@qepal.com/default1",
  app: "etest",
  uid: "u1",
  role: "owner",
  resource: "default1",
  kind: "default",
};

describe("subscribe", () => {
  it("resolves after the ack and delivers the retained message first, flagged", async () => {
    edge.options.autoAck = false;
    const got: [string, ChannelMessage][] = [];
    let acked = false;
    const pending = nx
      .subscribe("prices", (text, ctx) => void got.push([text, ctx]))
      .then((s) => {
        acked = true;
        return s;
      });
    const sub = await conn.nextFrame((f) => f.t === "sub");
    expect(acked).toBe(false);
    conn.send({ t: "ack", id: sub.id });
    conn.send({ t: "msg", channel: "prices", from, data: "41", seq: 7, retained: true });
    conn.send({ t: "msg", channel: "prices", from, data: "42", seq: 8 });
    await pending;
    await edge.roundTrip(nx, conn);
    expect(got).toEqual([
      ["41", { channel: "prices", text: "41", from, seq: 7, retained: true }],
      ["42", { channel: "prices", text: "42", from, seq: 8, retained: false }],
    ]);
  });

  it("is an async iterator that keeps what arrives before the loop starts and ends on unsubscribe", async () => {
    const sub = await nx.subscribe("prices");
    conn.send({ t: "msg", channel: "prices", from, data: "a", seq: 1, retained: true });
    conn.send({ t: "msg", channel: "prices", from, data: "b", seq: 2 });
    const texts: string[] = [];
    for await (const m of sub) {
      texts.push(m.text);
      if (texts.length === 2) void sub.unsubscribe();
    }
    expect(texts).toEqual(["a", "b"]);
    expect(sub.closed).toBe(true);
    expect(await conn.nextFrame((f) => f.t === "unsub")).toMatchObject({ channel: "prices" });
  });

  it("shares one wire sub among local subscriptions and gives each every message", async () => {
    const a: string[] = [];
    const b: string[] = [];
    const subA = await nx.subscribe("prices", (t) => void a.push(t));
    await nx.subscribe("prices", (t) => void b.push(t));
    conn.send({ t: "msg", channel: "prices", from, data: "1", seq: 1 });
    await edge.roundTrip(nx, conn);
    await subA.unsubscribe();
    conn.send({ t: "msg", channel: "prices", from, data: "2", seq: 2 });
    await edge.roundTrip(nx, conn);
    expect(a).toEqual(["1"]);
    expect(b).toEqual(["1", "2"]);
    expect(conn.frames.map((f) => f.t)).toEqual(["sub", "find", "find"]);
  });

  it("rejects subscribe with the server's error and subscribes afresh next time", async () => {
    edge.options.autoAck = false;
    const refused = nx.subscribe("locked");
    const first = await conn.nextFrame((f) => f.t === "sub");
    conn.send({ t: "error", id: first.id, code: "forbidden", message: "not for you" });
    await expect(refused).rejects.toMatchObject({ code: "forbidden" });
    const again = nx.subscribe("locked");
    const second = await conn.nextFrame((f) => f.t === "sub");
    expect(second.id).not.toBe(first.id);
    conn.send({ t: "ack", id: second.id });
    expect((await again).channel).toBe("locked");
  });

  it("rejects a bad channel name without sending anything", async () => {
    await expect(nx.subscribe("bad channel")).rejects.toMatchObject({ code: "bad_request" });
    expect(conn.frames).toHaveLength(0);
  });
});

describe("publish, direct and find", () => {
  it("publishes fire-and-forget by default and waits for the ack on request", async () => {
    await nx.publish("prices", "42");
    expect(await conn.nextFrame()).toEqual({ t: "pub", channel: "prices", data: "42" });
    const acked = nx.publish("status", "on", { retain: true, ack: true });
    const pub = await conn.nextFrame();
    expect(pub).toEqual({ t: "pub", id: pub.id, channel: "status", data: "on", retain: true });
    conn.send({ t: "error", id: pub.id, code: "rate_limited", message: "slow down" });
    await expect(acked).rejects.toMatchObject({ code: "rate_limited", retryable: true });
  });

  it("sends a Direct with an id only when an ack is wanted, and rejects on its error", async () => {
    await nx.direct("etest", "default1", "reboot");
    expect(await conn.nextFrame()).toEqual({ t: "direct", app: "etest", resource: "default1", data: "reboot" });
    const acked = nx.direct("etest", "default2", "hi", { ack: true, uid: "u9" });
    const frame = await conn.nextFrame();
    expect(frame).toMatchObject({ t: "direct", app: "etest", resource: "default2", data: "hi", uid: "u9" });
    conn.send({ t: "error", id: frame.id, code: "offline", message: "default2 is offline" });
    await expect(acked).rejects.toMatchObject({ code: "offline", retryable: true });
    const ok = nx.direct("etest", "default1", "again", { ack: true });
    const second = await conn.nextFrame();
    conn.send({ t: "ack", id: second.id });
    await expect(ok).resolves.toBeUndefined();
  });

  it("hands received Directs to every onDirect handler until it unsubscribes", async () => {
    const got: string[] = [];
    const off = nx.onDirect((text, ctx) => void got.push(`${ctx.from.resource}:${text}`));
    conn.send({ t: "direct", from, data: "one" });
    await edge.roundTrip(nx, conn);
    off();
    conn.send({ t: "direct", from, data: "two" });
    await edge.roundTrip(nx, conn);
    expect(got).toEqual(["default1:one"]);
  });

  it("finds blocks with the query it was given", async () => {
    const found = nx.find({ app: "etest", kind: "default", scope: "app" });
    const frame = await conn.nextFrame();
    expect(frame).toEqual({ t: "find", id: frame.id, app: "etest", kind: "default", scope: "app" });
    const blocks = [{ ...from, since: 1 }];
    conn.send({ t: "find.result", id: frame.id, blocks });
    expect(await found).toEqual(blocks);
  });
});
