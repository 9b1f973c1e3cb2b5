import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESERVE } from "../../src/channel/channel-flush";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Channel history and recovery over real WebSockets against the real edge (default bounds:
// 256 messages, 600 s, 1 MiB): what every sub ack says, recovery after a real disconnect, what
// ends recovery (count, bytes, another epoch, a since past the channel), and history across an
// edge restart.

const PUB_APP = "erec-pub";
const SUB_APP = "erec-sub";

let s: TestStack;
let n = 0;

beforeAll(async () => {
  s = await startStack();
  for (const app of [PUB_APP, SUB_APP]) await s.createApp(app, "owner1");
});

afterAll(() => s?.stop());

const fresh = (): string => `rec/${++n}`;
const open = (app: string, target: { kind: string } | { resource: string } = { kind: "webuo" }) => s.open("user1", app, target);

/** Publishes `data` and waits for its ack. */
async function publish(p: Block, channel: string, data: string, retain = false): Promise<void> {
  const id = `p${++n}`;
  expect(await p.request({ t: "pub", id, channel, data, retain })).toEqual({ t: "ack", id });
}

/** Publishes `count` messages "1".."count" pipelined (in order), then waits for every ack. */
async function publishMany(p: Block, channel: string, count: number, data = (i: number) => String(i)): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `p${++n}-${i}`);
  const acks = ids.map((id) => p.next((f) => f.id === id, 60_000));
  for (const [i, id] of ids.entries()) p.send({ t: "pub", id, channel, data: data(i + 1) });
  for (const ack of await Promise.all(acks)) expect(ack.t).toBe("ack");
}

async function sub(b: Block, channel: string, extra: { since?: number; epoch?: string } = {}): Promise<Received> {
  const id = `s${++n}`;
  const ack = await b.request({ t: "sub", id, channel, ...extra });
  expect(ack).toMatchObject({ t: "ack", id });
  return ack;
}

/** The next `count` frames of `b`, which must all be messages. */
async function messages(b: Block, count: number): Promise<Received[]> {
  const got: Received[] = [];
  for (let i = 0; i < count; i++) got.push(await b.next());
  for (const m of got) expect(m.t).toBe("msg");
  return got;
}

/** Asserts that nothing else is queued or in flight for `b`: a find sent now is answered next. */
async function expectNothingPending(b: Block): Promise<void> {
  const id = `f${++n}`;
  b.send({ t: "find", id });
  expect(await b.next()).toMatchObject({ t: "find.result", id });
}

describe("sub ack", () => {
  it("carries the channel's seq and epoch, on every sub, also of a connection already subscribed", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    const first = await open(SUB_APP);
    const a = await sub(first, channel);
    expect(a).toEqual({ t: "ack", id: a.id, seq: 0, epoch: expect.stringMatching(/^[a-z0-9]{1,64}$/) });
    await publishMany(publisher, channel, 3);
    await messages(first, 3);
    const second = await open(SUB_APP);
    expect(await sub(second, channel)).toEqual({ t: "ack", id: expect.any(String), seq: 3, epoch: a.epoch });
    // Already subscribed: where the channel stands, and nothing sent again.
    expect(await sub(first, channel)).toEqual({ t: "ack", id: expect.any(String), seq: 3, epoch: a.epoch });
    await expectNothingPending(first);
  });
});

describe("recovery", () => {
  it("after a real disconnect: the missed messages in order, each once, then live ones", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    const resource = { resource: `webuoRec${n}` };
    const before = await open(SUB_APP, resource);
    const { epoch } = await sub(before, channel);
    await publishMany(publisher, channel, 2);
    const seen = await messages(before, 2);
    before.ws.terminate(); // the network goes away: no close frame
    await before.closed;
    await publishMany(publisher, channel, 4, (i) => `away${i}`);

    const back = await open(SUB_APP, resource);
    expect(await sub(back, channel, { since: seen[1]!.seq, epoch })).toEqual({
      t: "ack",
      id: expect.any(String),
      seq: 6,
      epoch,
      recovered: true,
    });
    const missed = await messages(back, 4);
    expect(missed).toEqual(
      [3, 4, 5, 6].map((seq, i) => ({ t: "msg", channel, from: publisher.welcome.from, data: `away${i + 1}`, seq })),
    );
    await publish(publisher, channel, "live");
    expect(await back.next()).toMatchObject({ t: "msg", data: "live", seq: 7 });
    await expectNothingPending(back);
  });

  it("is also for a late joiner: since without a lost subscription, without epoch", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    await publishMany(publisher, channel, 5);
    const late = await open(SUB_APP);
    expect(await sub(late, channel, { since: 2 })).toMatchObject({ seq: 5, recovered: true });
    expect((await messages(late, 3)).map((m) => m.seq)).toEqual([3, 4, 5]);
    await expectNothingPending(late);
  });

  it("holds the last 256 messages: recovered:false past them, then the retained value, then live ones", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    await publish(publisher, channel, "status", true);
    await publishMany(publisher, channel, 299);
    const { epoch } = await sub(await open(SUB_APP), channel);

    const edge = await open(SUB_APP);
    expect(await sub(edge, channel, { since: 300 - 256, epoch })).toMatchObject({ seq: 300, epoch, recovered: true });
    const kept = await messages(edge, 256);
    expect(kept.map((m) => m.seq)).toEqual(Array.from({ length: 256 }, (_, i) => 45 + i));

    const past = await open(SUB_APP);
    expect(await sub(past, channel, { since: 300 - 257, epoch })).toEqual({
      t: "ack",
      id: expect.any(String),
      seq: 300,
      epoch,
      recovered: false,
    });
    expect(await past.next()).toMatchObject({ t: "msg", data: "status", seq: 1, retained: true });
    await publish(publisher, channel, "live");
    expect(await past.next()).toMatchObject({ t: "msg", data: "live", seq: 301 });
    await expectNothingPending(past);
  });

  it("holds at most 1 MiB of messages: large ones push the oldest out sooner", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    const large = (i: number) => `${i}`.padEnd(250_000, "x");
    await publishMany(publisher, channel, 5, large); // 5 frames of about 250 KB: only 4 fit in 1 MiB
    const four = await open(SUB_APP);
    expect(await sub(four, channel, { since: 1 })).toMatchObject({ seq: 5, recovered: true });
    expect((await messages(four, 4)).map((m) => m.seq)).toEqual([2, 3, 4, 5]);
    const five = await open(SUB_APP);
    expect(await sub(five, channel, { since: 0 })).toMatchObject({ seq: 5, recovered: false });
    await expectNothingPending(five);
  });

  it("answers recovered:false for another epoch, and for a since past the channel's seq", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    await publishMany(publisher, channel, 3);
    const other = await open(SUB_APP);
    const ack = await sub(other, channel, { since: 1, epoch: "not-this-one" });
    expect(ack).toMatchObject({ seq: 3, recovered: false });
    expect(ack.epoch).not.toBe("not-this-one");
    await expectNothingPending(other);
    const ahead = await open(SUB_APP);
    expect(await sub(ahead, channel, { since: 9, epoch: ack.epoch })).toMatchObject({
      seq: 3,
      epoch: ack.epoch,
      recovered: false,
    });
    await expectNothingPending(ahead);
  });

  it("refuses a malformed since with bad_request", async () => {
    const b = await open(SUB_APP);
    const id = `s${++n}`;
    expect(await b.request({ t: "sub", id, channel: fresh(), since: -1 })).toMatchObject({ t: "error", id, code: "bad_request" });
  });

  it("recovers across an edge restart: history is in the channel's storage", async () => {
    const channel = fresh();
    const publisher = await open(PUB_APP);
    const watcher = await open(SUB_APP);
    const { epoch } = await sub(watcher, channel);
    await publishMany(publisher, channel, 3);
    const seen = await messages(watcher, 1);

    await s.restartEdge();
    await Promise.all([publisher.closed, watcher.closed]);

    const back = await open(SUB_APP);
    const ack = await sub(back, channel, { since: seen[0]!.seq, epoch });
    expect(ack).toMatchObject({ epoch, recovered: true });
    // 3 when the channel was quiet for a flush interval before the restart; else the restart came
    // before its ceiling came down, and the channel goes on past it (docs/protocol.md, "Channel flushes").
    expect([3, 3 + RESERVE]).toContain(ack.seq);
    expect((await messages(back, 2)).map((m) => m.data)).toEqual(["2", "3"]);
    const again = await open(PUB_APP);
    await publish(again, channel, "4");
    expect(await back.next()).toMatchObject({ data: "4", seq: (ack.seq as number) + 1 });
  });
});
