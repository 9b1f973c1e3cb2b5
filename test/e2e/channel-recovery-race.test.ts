import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Recovery racing a publisher: messages are published continuously while a subscriber drops its
// connection and comes back with since/epoch, again and again. The recovery read (in the channel
// object) and the live deliveries (to the app object) cross; the subscriber must still see every
// seq exactly once, in order. History is made large enough here that no reconnect, however slow
// under load, outruns it: what is tested is the seam between recovered and live messages.

const PUB_APP = "erace-pub";
const SUB_APP = "erace-sub";
const TOTAL = 1500;
const RECONNECT_EVERY = 120;

let s: TestStack;
let n = 0;

beforeAll(async () => {
  s = await startStack({ vars: { NEXUS_HISTORY_SIZE: "100000", NEXUS_HISTORY_BYTES: String(64 * 1024 * 1024) } });
  for (const app of [PUB_APP, SUB_APP]) await s.createApp(app, "owner1");
});

afterAll(() => s?.stop());

/** Publishes "1".."total" with `inFlight` unacknowledged at a time (sent in order, so seq i carries "i"). */
async function publishContinuously(p: Block, channel: string, total: number, inFlight: number): Promise<void> {
  let next = 1;
  const lane = async (): Promise<void> => {
    while (next <= total) {
      const i = next++;
      const ack = await p.request({ t: "pub", id: `p${i}`, channel, data: String(i) }, 60_000);
      expect(ack).toEqual({ t: "ack", id: `p${i}` });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/** Reads until message `total`, dropping the connection every `every` messages and recovering from the last one read. */
async function readWithReconnects(channel: string, resource: string, total: number, every: number) {
  const seqs: number[] = [];
  let reconnects = 0;
  let block = await s.open("reader", SUB_APP, { resource });
  const first = await block.request({ t: "sub", id: `s${++n}`, channel });
  const { epoch } = first;
  const subscribed = first;
  const read = (async () => {
    while (seqs.length === 0 || seqs[seqs.length - 1]! < total) {
      const m: Received = await block.next(() => true, 60_000);
      expect(m).toMatchObject({ t: "msg", channel, data: String(m.seq) });
      seqs.push(m.seq);
      if (seqs.length % every === 0 && m.seq < total) {
        block.ws.terminate(); // frames already received but not read are lost with it: recovery brings them back
        await block.closed;
        block = await s.open("reader", SUB_APP, { resource });
        const ack = await block.request({ t: "sub", id: `s${++n}`, channel, since: m.seq, epoch }, 60_000);
        expect(ack).toMatchObject({ t: "ack", epoch, recovered: true });
        reconnects++;
      }
    }
  })();
  return { subscribed, done: read.then(() => ({ seqs, reconnects })) };
}

describe("recovery while a publisher publishes", () => {
  it.each([
    ["the subscriber's app leaves and joins the channel each time", false],
    ["the subscriber's app stays a member (another block stays subscribed)", true],
  ])("every seq exactly once, in order: %s", async (_name, stayer) => {
    const channel = `race/${++n}`;
    const publisher = await s.open("writer", PUB_APP, { kind: "default" });
    if (stayer) {
      const stays = await s.open("stayer", SUB_APP, { kind: "webuo" });
      expect(await stays.request({ t: "sub", id: "stay", channel })).toMatchObject({ t: "ack", seq: 0 });
    }
    const reader = await readWithReconnects(channel, `webuoRace${n}`, TOTAL, RECONNECT_EVERY);
    expect(reader.subscribed).toMatchObject({ t: "ack", seq: 0 });
    await publishContinuously(publisher, channel, TOTAL, 8);
    const { seqs, reconnects } = await reader.done;
    expect(reconnects).toBe(Math.floor((TOTAL - 1) / RECONNECT_EVERY));
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  });
});
