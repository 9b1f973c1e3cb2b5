import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../faults/support/until";
import { startStack, type TestStack } from "../support/stack";
import { readMessages } from "../support/ws-client";

// Numbering leases on the real stack: while one app is a channel's only member, its object numbers
// its own publishes itself and sends them to the channel object afterwards. Whatever the channel's
// subscribers see must stay what they saw without leases: every seq once, by one, in order, the
// same message under a seq for everyone, the messages in history for recovery, acks meaning stored.

const APP_A = "elease-a";
const APP_B = "elease-b";

let s: TestStack;
let n = 0;

beforeAll(async () => {
  s = await startStack();
  for (const app of [APP_A, APP_B]) await s.createApp(app, "owner1");
});

afterAll(() => s?.stop());

async function leasesOf(app: string): Promise<number> {
  return (await s.admin("GET", `/v1/admin/apps/${app}/stats`)).body.state.channelLeases as number;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe("numbering leases", () => {
  it("numbers one app's messages in its own object, and hands the lease back with no gap when another app joins mid-stream", async () => {
    const channel = `lease.${++n}.${Date.now()}`;
    const pub = await s.open("pubA", APP_A, { resource: "webuoPa" });
    const subA = await s.open("subA", APP_A, { resource: "webuoSa" });
    expect(await subA.request({ t: "sub", id: "s1", channel })).toMatchObject({ seq: 0 });
    // An acknowledged publish from the only member's app: its answer brings the lease.
    expect(await pub.request({ t: "pub", id: "p0", channel, data: "m0" })).toMatchObject({ t: "ack", id: "p0" });
    const first = await readMessages(subA, 1);
    expect(first).toEqual([{ seq: 1, data: "m0" }]);
    for (let i = 1; i <= 300; i++) pub.send({ t: "pub", channel, data: `m${i}` });
    const early = await readMessages(subA, 300);
    expect(await leasesOf(APP_A)).toBe(1);

    // Another app joins while A keeps publishing: the join takes the lease back first.
    const subB = await s.open("subB", APP_B, { resource: "webuoSb" });
    for (let i = 301; i <= 600; i++) pub.send({ t: "pub", channel, data: `m${i}` });
    const ackB = await subB.request({ t: "sub", id: "s2", channel });
    const late = await readMessages(subA, 300);
    const seenA = [...first, ...early, ...late];
    // Every seq once, by one, in order, and A's messages in the order sent.
    expect(seenA.map((m) => m.seq)).toEqual(range(1, 601));
    expect(seenA.map((m) => m.data)).toEqual(range(0, 600).map((i) => `m${i}`));
    // B gets exactly what follows its ack, the same message under each seq as A.
    const joinedAt = ackB.seq as number;
    expect(joinedAt).toBeGreaterThanOrEqual(301);
    const seenB = await readMessages(subB, 601 - joinedAt);
    expect(seenB).toEqual(seenA.slice(joinedAt));
    // Two members now: no lease while B is one.
    pub.send({ t: "pub", channel, data: "m601" });
    expect(await readMessages(subB, 1)).toEqual([{ seq: 602, data: "m601" }]);
    expect(await leasesOf(APP_A)).toBe(0);
  });

  it("keeps leased messages in history: a subscriber coming back with since recovers them, in order", async () => {
    const channel = `lease.${++n}.${Date.now()}`;
    const pub = await s.open("pubA", APP_A, { resource: "webuoPa" });
    const subA = await s.open("subA", APP_A, { resource: "webuoSa" });
    const { epoch } = await subA.request({ t: "sub", id: "s1", channel });
    for (let i = 1; i <= 100; i++) pub.send({ t: "pub", channel, data: `m${i}` });
    await readMessages(subA, 100);
    expect(await leasesOf(APP_A)).toBe(1);
    // A second block of A recovers from seq 40: its join takes the lease back, then reads history.
    const back = await s.open("subA2", APP_A, { resource: "webuoSa2" });
    const ack = await back.request({ t: "sub", id: "s2", channel, since: 40, epoch });
    expect(ack).toMatchObject({ seq: 100, epoch, recovered: true });
    expect(await readMessages(back, 60)).toEqual(range(41, 100).map((seq) => ({ seq, data: `m${seq}` })));
  });

  it("gives an unused lease back by itself, and the channel then goes on by one", async () => {
    const channel = `lease.${++n}.${Date.now()}`;
    const pub = await s.open("pubA", APP_A, { resource: "webuoPa" });
    const subA = await s.open("subA", APP_A, { resource: "webuoSa" });
    await subA.request({ t: "sub", id: "s1", channel });
    for (let i = 1; i <= 5; i++)
      expect(await pub.request({ t: "pub", id: `p${i}`, channel, data: `m${i}` })).toMatchObject({ t: "ack" });
    await readMessages(subA, 5);
    expect(await leasesOf(APP_A)).toBe(1);
    // Given back after a second unused (LEASE_IDLE_MS): the stats route shows it.
    await until(async () => (await leasesOf(APP_A)) === 0, "the lease given back", 10_000, 100);
    const subB = await s.open("subB", APP_B, { resource: "webuoSb" });
    expect(await subB.request({ t: "sub", id: "s2", channel })).toMatchObject({ seq: 5 });
    pub.send({ t: "pub", channel, data: "m6" });
    expect(await readMessages(subB, 1)).toEqual([{ seq: 6, data: "m6" }]);
  });
});
