import { describe, expect, it } from "vitest";
import type { ChannelMessage } from "./options";
import { SENDER, useFakeSession } from "./testing/fake-session";

const session = useFakeSession({ kind: "webuo", firstConnection: true });

describe("subscribe", () => {
  it("resolves after the ack and delivers the retained message first, flagged", async () => {
    session.edge.options.autoAck = false;
    const got: [string, ChannelMessage][] = [];
    let acked = false;
    const pending = session.nx
      .subscribe("prices", (text, ctx) => void got.push([text, ctx]))
      .then((s) => {
        acked = true;
        return s;
      });
    const sub = await session.conn.nextFrame((f) => f.t === "sub");
    expect(acked).toBe(false);
    session.conn.send({ t: "ack", id: sub.id });
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "41", seq: 7, retained: true });
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "42", seq: 8 });
    await pending;
    await session.edge.roundTrip(session.nx, session.conn);
    expect(got).toEqual([
      ["41", { channel: "prices", text: "41", from: SENDER, seq: 7, retained: true }],
      ["42", { channel: "prices", text: "42", from: SENDER, seq: 8, retained: false }],
    ]);
  });

  it("is an async iterator that keeps what arrives before the loop starts and ends on unsubscribe", async () => {
    const sub = await session.nx.subscribe("prices");
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "a", seq: 1, retained: true });
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "b", seq: 2 });
    const texts: string[] = [];
    for await (const m of sub) {
      texts.push(m.text);
      if (texts.length === 2) void sub.unsubscribe();
    }
    expect(texts).toEqual(["a", "b"]);
    expect(sub.closed).toBe(true);
    expect(await session.conn.nextFrame((f) => f.t === "unsub")).toMatchObject({ channel: "prices" });
  });

  it("shares one wire sub among local subscriptions and gives each every message", async () => {
    const a: string[] = [];
    const b: string[] = [];
    const subA = await session.nx.subscribe("prices", (t) => void a.push(t));
    await session.nx.subscribe("prices", (t) => void b.push(t));
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "1", seq: 1 });
    await session.edge.roundTrip(session.nx, session.conn);
    await subA.unsubscribe();
    session.conn.send({ t: "msg", channel: "prices", from: SENDER, data: "2", seq: 2 });
    await session.edge.roundTrip(session.nx, session.conn);
    expect(a).toEqual(["1"]);
    expect(b).toEqual(["1", "2"]);
    expect(session.conn.frames.map((f) => f.t)).toEqual(["sub", "find", "find"]);
  });

  it("rejects subscribe with the server's error and subscribes afresh next time", async () => {
    session.edge.options.autoAck = false;
    const refused = session.nx.subscribe("locked");
    const first = await session.conn.nextFrame((f) => f.t === "sub");
    session.conn.send({ t: "error", id: first.id, code: "forbidden", message: "not for you" });
    await expect(refused).rejects.toMatchObject({ code: "forbidden" });
    const again = session.nx.subscribe("locked");
    const second = await session.conn.nextFrame((f) => f.t === "sub");
    expect(second.id).not.toBe(first.id);
    session.conn.send({ t: "ack", id: second.id });
    expect((await again).channel).toBe("locked");
  });

  it("rejects a bad channel name without sending anything", async () => {
    await expect(session.nx.subscribe("bad channel")).rejects.toMatchObject({ code: "bad_request" });
    expect(session.conn.frames).toHaveLength(0);
  });
});

describe("publish, direct and find", () => {
  it("publishes fire-and-forget by default and waits for the ack on request", async () => {
    await session.nx.publish("prices", "42");
    expect(await session.conn.nextFrame()).toEqual({ t: "pub", channel: "prices", data: "42" });
    const acked = session.nx.publish("status", "on", { retain: true, ack: true });
    const pub = await session.conn.nextFrame();
    expect(pub).toEqual({ t: "pub", id: pub.id, channel: "status", data: "on", retain: true });
    session.conn.send({ t: "error", id: pub.id, code: "rate_limited", message: "slow down" });
    await expect(acked).rejects.toMatchObject({ code: "rate_limited", retryable: true });
  });

  it("sends a Direct with an id only when an ack is wanted, and rejects on its error", async () => {
    await session.nx.direct("etest", "default1", "reboot");
    expect(await session.conn.nextFrame()).toEqual({ t: "direct", app: "etest", resource: "default1", data: "reboot" });
    const acked = session.nx.direct("etest", "default2", "hi", { ack: true, uid: "u9" });
    const frame = await session.conn.nextFrame();
    expect(frame).toMatchObject({ t: "direct", app: "etest", resource: "default2", data: "hi", uid: "u9" });
    session.conn.send({ t: "error", id: frame.id, code: "offline", message: "default2 is offline" });
    await expect(acked).rejects.toMatchObject({ code: "offline", retryable: true });
    const ok = session.nx.direct("etest", "default1", "again", { ack: true });
    const second = await session.conn.nextFrame();
    session.conn.send({ t: "ack", id: second.id });
    await expect(ok).resolves.toBeUndefined();
  });

  it("hands received Directs to every onDirect handler until it unsubscribes", async () => {
    const got: string[] = [];
    const off = session.nx.onDirect((text, ctx) => void got.push(`${ctx.from.resource}:${text}`));
    session.conn.send({ t: "direct", from: SENDER, data: "one" });
    await session.edge.roundTrip(session.nx, session.conn);
    off();
    session.conn.send({ t: "direct", from: SENDER, data: "two" });
    await session.edge.roundTrip(session.nx, session.conn);
    expect(got).toEqual(["default1:one"]);
  });

  it("finds blocks with the query it was given", async () => {
    const found = session.nx.find({ app: "etest", kind: "default", scope: "app" });
    const frame = await session.conn.nextFrame();
    expect(frame).toEqual({ t: "find", id: frame.id, app: "etest", kind: "default", scope: "app" });
    const blocks = [{ ...SENDER, since: 1 }];
    session.conn.send({ t: "find.result", id: frame.id, blocks });
    expect(await found).toEqual(blocks);
  });
});
