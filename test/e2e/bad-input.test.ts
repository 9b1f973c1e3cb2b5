import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type Block, openBlock } from "../support/ws-client";

describe("bad input never crashes, never disturbs others, and loses nothing accepted", () => {
  let s: TestStack;
  let bystander: Block;
  const open = async (uid: string, target: { kind: string } | { resource: string }) =>
    openBlock(s.connectUrlFor(await s.token({ uid, app: "bad" }), target));

  beforeAll(async () => {
    s = await startStack({ vars: { NEXUS_MAX_FRAME_BYTES: "2048", NEXUS_RATE_PER_SEC: "20", NEXUS_RATE_BURST: "40" } });
    await s.createApp("bad", "owner");
    bystander = await open("owner", { resource: "default1" });
  });
  afterAll(async () => {
    await bystander?.close();
    await s?.stop();
  });

  it.each([
    ["not JSON", "{oops", undefined, "bad_request"],
    ["a JSON array", "[1,2]", undefined, "bad_request"],
    ["an unknown type", '{"t":"teleport","id":"u1"}', "u1", "bad_request"],
    ["an api without app", '{"t":"api","id":"a1","method":"m"}', "a1", "bad_request"],
    ["an ill-typed timeoutMs", '{"t":"api","id":"a2","app":"bad","method":"m","timeoutMs":"soon"}', "a2", "bad_request"],
    ["non-string direct data", '{"t":"direct","id":"d1","app":"bad","resource":"default1","data":{"x":1}}', "d1", "bad_request"],
    ["a malformed direct resource", '{"t":"direct","id":"d2","app":"bad","resource":"x y","data":"x"}', "d2", "bad_request"],
    ["a bad channel name", '{"t":"sub","id":"s1","channel":"a b"}', "s1", "bad_request"],
    [
      "a frame over maxFrameBytes",
      JSON.stringify({ t: "pub", id: "big", channel: "c", data: "x".repeat(3000) }),
      "big",
      "too_large",
    ],
  ])("answers %s with an error frame and keeps the connection", async (_what, frame, id, code) => {
    const b = await open("u1", { kind: "webuo" });
    b.send(frame);
    const err = await b.next();
    expect(err).toMatchObject({ t: "error", code, message: expect.any(String) });
    expect(err.id).toBe(id);
    expect(await b.request({ t: "find", id: "alive" })).toMatchObject({ t: "find.result", id: "alive" });
    expect(await bystander.request({ t: "find", id: `by-${code}` })).toMatchObject({ t: "find.result" });
    await b.close();
  });

  it("refuses a frame over 1 MiB without disturbing anyone else", async () => {
    const b = await open("u2", { kind: "webuo" });
    b.send(JSON.stringify({ t: "pub", id: "huge", channel: "c", data: "x".repeat(1_100_000) }));
    const outcome = await Promise.race([b.next().then((f) => ({ frame: f })), b.closed.then((c) => ({ close: c.code }))]);
    // The contract allows either the error frame or a 1009 close for frames over 1 MiB.
    if ("frame" in outcome) expect(outcome.frame).toMatchObject({ t: "error", code: "too_large" });
    else expect(outcome.close).toBe(1009);
    expect(await bystander.request({ t: "find", id: "after-huge" })).toMatchObject({ t: "find.result" });
    await b.close();
  });

  it("rate-limits a flood, closes it with 4008, delivers every accepted frame, and spares the bystander", async () => {
    const flooder = await open("u3", { kind: "webuo" });
    const acks: string[] = [];
    let limited = 0;
    const done = new Promise<void>((resolve) => {
      flooder.ws.on("message", (raw) => {
        const f = JSON.parse(String(raw));
        if (f.t === "ack") acks.push(f.id);
        if (f.code === "rate_limited") limited++;
      });
      flooder.ws.on("close", () => resolve());
    });
    for (let i = 0; i < 200; i++) flooder.send({ t: "direct", id: `d${i}`, app: "bad", resource: "default1", data: `m${i}` });
    expect((await flooder.closed).code).toBe(4008);
    await done;
    expect(limited).toBeGreaterThan(0);
    expect(acks.length).toBeGreaterThan(0);
    // Every acked Direct reached the worker, in order, and nothing else did.
    const received: string[] = [];
    for (let i = 0; i < acks.length; i++) received.push((await bystander.next((f) => f.t === "direct")).data);
    expect(received).toEqual(acks.map((id) => `m${id.slice(1)}`));
    expect(await bystander.request({ t: "find", id: "after-flood" })).toMatchObject({ t: "find.result" });
    expect(bystander.queued().filter((f) => f.t === "direct")).toEqual([]);
  });
});
