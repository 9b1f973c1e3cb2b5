import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Retained channel messages over real WebSockets against the real edge: what a new subscriber
// gets first, how an empty retained message clears it, and that it survives an edge restart.

const APPS = ["eret-a", "eret-b"] as const;

let s: TestStack;
let seq = 0;

beforeAll(async () => {
  s = await startStack();
  for (const app of APPS) await s.createApp(app, "owner1");
});

afterAll(() => s?.stop());

async function open(app: string, kind = "default"): Promise<Block> {
  return s.open("user1", app, { kind });
}

async function publish(p: Block, channel: string, data: string, retain: boolean): Promise<void> {
  const id = `p${++seq}`;
  expect(await p.request({ t: "pub", id, channel, data, retain })).toEqual({ t: "ack", id });
}

describe("retained", () => {
  it("gives a new subscriber the ack, then the last retained value with retained:true, then live messages", async () => {
    const channel = `dev/${++seq}/status`;
    const publisher = await open("eret-a");
    await publish(publisher, channel, "offline", true);
    await publish(publisher, channel, "online", true);
    // A message without retain is delivered but does not replace the retained value.
    await publish(publisher, channel, "blip", false);

    const sub = await open("eret-b", "webuo");
    const id = `s${++seq}`;
    sub.send({ t: "sub", id, channel });
    expect(await sub.next()).toEqual({ t: "ack", id, seq: expect.any(Number), epoch: expect.any(String) });
    const retained = await sub.next();
    expect(retained).toEqual({
      t: "msg",
      channel,
      from: publisher.welcome.from,
      data: "online",
      seq: expect.any(Number),
      retained: true,
    });
    await publish(publisher, channel, "live", false);
    const live = await sub.next();
    expect(live).toEqual({ t: "msg", channel, from: publisher.welcome.from, data: "live", seq: retained.seq + 2 });
  });

  it('clears with retain:true and data "", delivered to current subscribers; later subscribers get nothing retained', async () => {
    const channel = `dev/${++seq}/status`;
    const publisher = await open("eret-a");
    const current = await open("eret-b", "webuo");
    await publish(publisher, channel, "online", true);
    const id = `s${++seq}`;
    current.send({ t: "sub", id, channel });
    expect(await current.next()).toEqual({ t: "ack", id, seq: expect.any(Number), epoch: expect.any(String) });
    expect(await current.next()).toMatchObject({ data: "online", retained: true });

    await publish(publisher, channel, "", true);
    expect(await current.next()).toEqual({ t: "msg", channel, from: publisher.welcome.from, data: "", seq: expect.any(Number) });

    const late = await open("eret-a", "webxo");
    const id2 = `s${++seq}`;
    late.send({ t: "sub", id: id2, channel });
    expect(await late.next()).toEqual({ t: "ack", id: id2, seq: expect.any(Number), epoch: expect.any(String) });
    // Had anything been retained, it would come before this live message.
    await publish(publisher, channel, "live", false);
    expect(await late.next()).toMatchObject({ t: "msg", data: "live" });
    expect(late.queued()).toEqual([]);
  });

  it("gives subscribers that join during a stream of retained updates each value at most once, in order, ending with the last", async () => {
    const channel = `dev/${++seq}/status`;
    const publisher = await open("eret-a");
    await publish(publisher, channel, "v0", true);
    const joiners = await Promise.all(Array.from({ length: 40 }, (_, i) => open(APPS[i % 2]!, i % 2 ? "webuo" : "default")));
    // Joins and updates interleave on the wire: each sub lands somewhere inside the stream.
    const N = 320;
    for (let i = 1; i <= N; i++) {
      publisher.send({ t: "pub", channel, data: `v${i}`, retain: true });
      if (i % 8 === 0) joiners[i / 8 - 1]!.send({ t: "sub", id: "s", channel });
    }
    await publish(publisher, channel, "last", true);
    await Promise.all(
      joiners.map(async (b) => {
        expect(await b.next()).toEqual({ t: "ack", id: "s", seq: expect.any(Number), epoch: expect.any(String) });
        const msgs: Received[] = [];
        do msgs.push(await b.next());
        while (msgs.at(-1)!.data !== "last");
        // The first may be the retained value; every later one is live and strictly newer.
        for (const [i, m] of msgs.entries()) {
          expect(m.t).toBe("msg");
          if (i > 0) {
            expect(m.retained).toBeUndefined();
            expect(m.seq).toBeGreaterThan(msgs[i - 1]!.seq);
          }
        }
      }),
    );
  });

  it("keeps the retained value and the sequence across an edge restart", async () => {
    const channel = `dev/${++seq}/status`;
    const publisher = await open("eret-a");
    await publish(publisher, channel, "persisted", true);
    const watcher = await open("eret-b");
    const id = `s${++seq}`;
    watcher.send({ t: "sub", id, channel });
    expect(await watcher.next()).toEqual({ t: "ack", id, seq: expect.any(Number), epoch: expect.any(String) });
    const before = await watcher.next();
    expect(before).toMatchObject({ data: "persisted", retained: true });

    await s.restartEdge();
    await Promise.all([publisher.closed, watcher.closed]);

    const after = await open("eret-b", "webuo");
    const id2 = `s${++seq}`;
    after.send({ t: "sub", id: id2, channel });
    expect(await after.next()).toEqual({ t: "ack", id: id2, seq: expect.any(Number), epoch: expect.any(String) });
    expect(await after.next()).toEqual(before);
    const publisher2 = await open("eret-a");
    await publish(publisher2, channel, "next", false);
    expect(await after.next()).toMatchObject({ data: "next", seq: before.seq + 1 });
  });
});
