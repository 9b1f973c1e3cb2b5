import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type Block, readMessages } from "../support/ws-client";

// A channel's messages reach a subscriber by two ways: its own app's publishes come back in the
// channel object's answer (the app object delivers them itself, with no second hop), everyone
// else's in the channel object's delivery calls. Publishers in two apps publish at once, pipelined,
// and every subscriber, in either app, must see every seq once, in order, with none missing, and
// each publisher's messages in the order sent.

const APP_A = "eorder-a";
const APP_B = "eorder-b";
const EACH = 400;

let s: TestStack;

beforeAll(async () => {
  s = await startStack();
  for (const app of [APP_A, APP_B]) await s.createApp(app, "owner1");
});

afterAll(() => s?.stop());

/** Sends "<tag>1".."<tag>count" without waiting (no ids: fire and forget, as the bench does). */
function publishAll(p: Block, channel: string, tag: string, count: number): void {
  for (let i = 1; i <= count; i++) p.send({ t: "pub", channel, data: `${tag}${i}` });
}

describe("channel order across the publish answer and the delivery calls", () => {
  it("gives every subscriber of both apps every seq once, in order, while both apps publish at once", async () => {
    const channel = `order.${Date.now()}`;
    const blocks = await Promise.all([
      s.open("pubA", APP_A, { resource: "webuoPa" }),
      s.open("subA", APP_A, { resource: "webuoSa" }),
      s.open("pubB", APP_B, { resource: "webuoPb" }),
      s.open("subB", APP_B, { resource: "webuoSb" }),
    ]);
    const [pubA, , pubB] = blocks;
    // The publishers subscribe too: a publisher's own app is a member, so its answers carry deliveries.
    const acks = await Promise.all(blocks.map((b, i) => b.request({ t: "sub", id: `s${i}`, channel })));
    const start = Math.max(...acks.map((a) => a.seq as number));
    expect(start).toBe(0);

    const readers = blocks.map((b) => readMessages(b, 2 * EACH));
    publishAll(pubA!, channel, "a", EACH);
    publishAll(pubB!, channel, "b", EACH);
    const seen = await Promise.all(readers);

    for (const [i, got] of seen.entries()) {
      const name = ["pubA", "subA", "pubB", "subB"][i];
      // Every seq from 1 to 800, once, in order: nothing missing, nothing twice.
      expect({ name, seqs: got.map((m) => m.seq) }).toEqual({ name, seqs: Array.from({ length: 2 * EACH }, (_, k) => k + 1) });
      // Each publisher's messages in the order sent.
      for (const tag of ["a", "b"]) {
        const mine = got.filter((m) => m.data.startsWith(tag)).map((m) => m.data);
        expect(mine).toEqual(Array.from({ length: EACH }, (_, k) => `${tag}${k + 1}`));
      }
    }
    // All four saw the same message under each seq.
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[3]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});
