import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Nexus Channel at scale over real WebSockets against the real edge: fan-out to many subscribers
// of several apps exactly once, per-publisher order, and subscribers that vanish mid-stream.

const APPS = ["efan-a", "efan-b", "efan-c"] as const;

let s: TestStack;
let seq = 0;

beforeAll(async () => {
  s = await startStack();
  for (const app of APPS) await s.createApp(app, `owner_${app.slice(-1)}`);
});

afterAll(() => s?.stop());

async function open(app: string, uid = "user1"): Promise<Block> {
  return s.open(uid, app, { kind: "webuo" });
}

async function subscribers(app: string, n: number, channel: string): Promise<Block[]> {
  const blocks = await Promise.all(Array.from({ length: n }, (_, i) => open(app, `u${i}`)));
  await Promise.all(blocks.map((b) => sub(b, channel)));
  return blocks;
}

async function sub(b: Block, channel: string): Promise<void> {
  const id = `s${++seq}`;
  expect(await b.request({ t: "sub", id, channel })).toEqual({
    t: "ack",
    id,
    seq: expect.any(Number),
    epoch: expect.any(String),
  });
}

/** The next `n` frames of `b`, which must all be messages. */
async function messages(b: Block, n: number): Promise<Received[]> {
  const out: Received[] = [];
  for (let i = 0; i < n; i++) {
    const f = await b.next();
    expect(f.t).toBe("msg");
    out.push(f);
  }
  return out;
}

function expectInOrder(msgs: Received[], datas: string[]): void {
  expect(msgs.map((m) => m.data)).toEqual(datas);
  for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.seq).toBe(msgs[i - 1]!.seq + 1);
}

describe("fan-out", () => {
  it("delivers every message exactly once to 63 subscribers across 3 apps", async () => {
    const channel = `fan/${++seq}`;
    const all = (await Promise.all(APPS.map((app) => subscribers(app, 21, channel)))).flat();
    expect(all).toHaveLength(63);
    const publisher = await open("efan-a", "pub");
    const datas = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const data of datas) publisher.send({ t: "pub", channel, data });
    // The end marker comes after every message of this publisher, so a duplicate would come before it.
    publisher.send({ t: "pub", channel, data: "end" });
    await Promise.all(
      all.map(async (b) => {
        expectInOrder(await messages(b, datas.length + 1), [...datas, "end"]);
      }),
    );
    for (const b of all) expect(b.queued()).toEqual([]);
  });

  it("delivers 500 messages of one publisher in order to every subscriber of two apps", async () => {
    const channel = `order/${++seq}`;
    const subs = [...(await subscribers("efan-b", 3, channel)), ...(await subscribers("efan-c", 3, channel))];
    const publisher = await open("efan-a", "pub");
    const datas = Array.from({ length: 500 }, (_, i) => String(i));
    for (const data of datas) publisher.send({ t: "pub", channel, data });
    await Promise.all(
      subs.map(async (b) => {
        const msgs = await messages(b, datas.length);
        expectInOrder(msgs, datas);
        for (const m of msgs) expect(m.from).toEqual(publisher.welcome.from);
      }),
    );
  });
});

describe("vanishing subscribers", () => {
  it("keeps delivering to the rest when subscribers, and a whole app's subscribers, disappear", async () => {
    const channel = `vanish/${++seq}`;
    const [a, b, c] = await Promise.all(APPS.map((app) => subscribers(app, 3, channel)));
    const publisher = await open("efan-a", "pub");
    let n = 0;
    const publish = async (data: string) => {
      const id = `p${++n}`;
      expect(await publisher.request({ t: "pub", id, channel, data })).toEqual({ t: "ack", id });
    };
    await publish("one");
    for (const x of [...a!, ...b!, ...c!]) expect((await x.next()).data).toBe("one");

    // Every subscriber of app b and one of app a vanish without a closing handshake.
    const gone = [...b!, a![0]!];
    for (const x of gone) x.ws.terminate();
    await Promise.all(gone.map((x) => x.closed));
    const rest = [a![1]!, a![2]!, ...c!];
    for (const data of ["two", "three", "four"]) await publish(data);
    for (const x of rest) expectInOrder(await messages(x, 3), ["two", "three", "four"]);

    // App b, which lost every subscriber, gets a new one: it receives what is published from now on.
    const back = await open("efan-b", "back");
    await sub(back, channel);
    await publish("five");
    expect(await back.next()).toMatchObject({ t: "msg", channel, data: "five" });
    for (const x of rest) expect((await x.next()).data).toBe("five");
  });
});
