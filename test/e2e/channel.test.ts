import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block } from "../support/ws-client";

// Nexus Channel over real WebSockets against the real edge (workerd): frame shapes, the one global
// namespace, the name and data rules, seq, the publisher's own copy, pub acks and unsub.

const APPS = ["ech-a", "ech-b", "ech-c"] as const;

let s: TestStack;
let seq = 0;

beforeAll(async () => {
  s = await startStack();
  for (const app of APPS) await s.createApp(app, `owner_${app.slice(-1)}`);
});

afterAll(() => s?.stop());

async function open(app: string, kind = "webuo", uid = "user1"): Promise<Block> {
  return s.open(uid, app, { kind });
}

const freshChannel = (): string => `ch/${++seq}`;
const nextId = (): string => `i${++seq}`;

async function sub(b: Block, channel: string): Promise<void> {
  const id = nextId();
  expect(await b.request({ t: "sub", id, channel })).toEqual({
    t: "ack",
    id,
    seq: expect.any(Number),
    epoch: expect.any(String),
  });
}

/** Asserts that nothing is queued or in flight for `b`: a find sent now is answered next. */
async function expectNothingPending(b: Block): Promise<void> {
  const id = nextId();
  b.send({ t: "find", id });
  expect(await b.next()).toMatchObject({ t: "find.result", id });
}

describe("frames", () => {
  it("delivers msg with exactly the contract's fields to subscribers of every app, publisher included", async () => {
    const channel = freshChannel();
    const a = await open("ech-a");
    const b = await open("ech-b", "default");
    const publisher = await open("ech-c", "webxo");
    await sub(a, channel);
    await sub(b, channel);
    await sub(publisher, channel);

    publisher.send({ t: "pub", channel, data: "42", retain: false, from: { jid: "forged" } });
    const expected = { t: "msg", channel, from: publisher.welcome.from, data: "42", seq: expect.any(Number) };
    const got = [await a.next(), await b.next(), await publisher.next()];
    for (const m of got) expect(m).toEqual(expected);
    expect(new Set(got.map((m) => m.seq)).size).toBe(1);
  });

  it("answers pub with an id by ack and pub without an id by nothing; an unsubscribed publisher gets no copy", async () => {
    const channel = freshChannel();
    const reader = await open("ech-a");
    const publisher = await open("ech-b");
    await sub(reader, channel);
    publisher.send({ t: "pub", channel, data: "silent" });
    publisher.send({ t: "pub", channel, data: "acked", id: "p1" });
    expect(await publisher.next()).toEqual({ t: "ack", id: "p1" });
    await expectNothingPending(publisher);
    expect((await reader.next()).data).toBe("silent");
    expect((await reader.next()).data).toBe("acked");
  });

  it("seq increases by one per channel, across publishers, and channels count separately", async () => {
    const [x, y] = [freshChannel(), freshChannel()];
    const reader = await open("ech-a");
    const p1 = await open("ech-b");
    const p2 = await open("ech-c");
    await sub(reader, x);
    await sub(reader, y);
    // Each pub is acked before the next, so the channel sees them in this order.
    const plan: [Block, string][] = [
      [p1, x],
      [p2, x],
      [p1, y],
      [p2, x],
      [p2, y],
      [p1, x],
    ];
    for (const [i, [p, channel]] of plan.entries()) {
      const id = nextId();
      expect(await p.request({ t: "pub", id, channel, data: String(i) })).toEqual({ t: "ack", id });
    }
    const msgs = await Promise.all(plan.map(() => reader.next()));
    for (const channel of [x, y]) {
      const seqs = msgs.filter((m) => m.channel === channel).map((m) => m.seq);
      expect(seqs.length).toBeGreaterThan(1);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    }
    expect(msgs.filter((m) => m.channel === x).map((m) => m.data)).toEqual(["0", "1", "3", "5"]);
  });
});

describe("rules", () => {
  it("accepts names of [A-Za-z0-9_.:/-]{1,128} and refuses others with bad_request and the id", async () => {
    const b = await open("ech-a");
    for (const channel of ["a", "A-z_0.9:/x-y", "x".repeat(128)]) {
      await sub(b, channel);
      const id = nextId();
      expect(await b.request({ t: "unsub", id, channel })).toEqual({ t: "ack", id });
    }
    for (const channel of ["", "has space", "x".repeat(129), "ümlaut", "a#b", "a+b", 42, null]) {
      for (const t of ["sub", "unsub", "pub"]) {
        const id = nextId();
        const frame = t === "pub" ? { t, id, channel, data: "x" } : { t, id, channel };
        expect(await b.request(frame)).toEqual({ t: "error", id, code: "bad_request", message: expect.any(String) });
      }
    }
    await expectNothingPending(b);
  });

  it("accepts string data only (including the empty string)", async () => {
    const channel = freshChannel();
    const b = await open("ech-b");
    await sub(b, channel);
    for (const data of [42, { a: 1 }, ["x"], null, true, undefined]) {
      const id = nextId();
      expect(await b.request({ t: "pub", id, channel, data })).toEqual({
        t: "error",
        id,
        code: "bad_request",
        message: expect.any(String),
      });
    }
    const id = nextId();
    expect(await b.request({ t: "pub", id, channel, data: "" })).toEqual({ t: "ack", id });
    expect(await b.next()).toMatchObject({ t: "msg", channel, data: "" });
    await expectNothingPending(b);
  });
});

describe("unsub", () => {
  it("stops delivery once acked, while a subscriber of the same app still receives", async () => {
    const channel = freshChannel();
    const leaver = await open("ech-a");
    const stayer = await open("ech-a");
    const publisher = await open("ech-b");
    await sub(leaver, channel);
    await sub(stayer, channel);
    publisher.send({ t: "pub", channel, data: "before" });
    expect((await leaver.next()).data).toBe("before");
    expect((await stayer.next()).data).toBe("before");

    const id = nextId();
    expect(await leaver.request({ t: "unsub", id, channel })).toEqual({ t: "ack", id });
    publisher.send({ t: "pub", channel, data: "after" });
    // The stayer shares the leaver's app object, which delivers to both in one step: once the
    // stayer has it, the leaver would have it too.
    expect((await stayer.next()).data).toBe("after");
    await expectNothingPending(leaver);
  });

  it("stops delivery to an app whose last subscriber left, and a later sub there receives again", async () => {
    const channel = freshChannel();
    const leaver = await open("ech-c");
    const other = await open("ech-a");
    const publisher = await open("ech-b");
    await sub(leaver, channel);
    await sub(other, channel);
    const id = nextId();
    expect(await leaver.request({ t: "unsub", id, channel })).toEqual({ t: "ack", id });
    publisher.send({ t: "pub", channel, data: "after" });
    expect((await other.next()).data).toBe("after");
    await expectNothingPending(leaver);

    await sub(leaver, channel);
    publisher.send({ t: "pub", channel, data: "again" });
    expect(await leaver.next()).toMatchObject({ t: "msg", data: "again" });
    expect((await other.next()).data).toBe("again");
  });

  it("applies pipelined sub and unsub frames of one block in the order sent", async () => {
    const channel = freshChannel();
    const b = await open("ech-a");
    const publisher = await open("ech-b");
    // sub, unsub without waiting: the acks come in order and the block ends unsubscribed.
    b.send({ t: "sub", id: "s1", channel });
    b.send({ t: "unsub", id: "u1", channel });
    expect([await b.next(), await b.next()]).toEqual([
      { t: "ack", id: "s1", seq: 0, epoch: expect.any(String) },
      { t: "ack", id: "u1" },
    ]);
    const reader = await open("ech-a");
    await sub(reader, channel);
    publisher.send({ t: "pub", channel, data: "after unsub" });
    expect((await reader.next()).data).toBe("after unsub");
    await expectNothingPending(b);

    // sub, sub, unsub, sub: one subscription at the end, so exactly one copy of each message.
    const ids = ["s2", "s3", "u2", "s4"];
    for (const id of ids) b.send({ t: id.startsWith("s") ? "sub" : "unsub", id, channel });
    expect(await Promise.all(ids.map(() => b.next()))).toEqual(
      ids.map((id) =>
        id.startsWith("s") ? { t: "ack", id, seq: expect.any(Number), epoch: expect.any(String) } : { t: "ack", id },
      ),
    );
    publisher.send({ t: "pub", channel, data: "subscribed" });
    expect(await b.next()).toMatchObject({ t: "msg", data: "subscribed" });
    await expectNothingPending(b);
  });

  it("treats unsub of a channel never joined as done", async () => {
    const b = await open("ech-a");
    const id = nextId();
    expect(await b.request({ t: "unsub", id, channel: freshChannel() })).toEqual({ t: "ack", id });
  });
});
