import {
  type ChannelMessage,
  connect,
  type GapEvent,
  type NexusClient,
  type ResubscribedEvent,
  type Subscription,
} from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitState } from "../../sdk/src/testing/wait";
import { CuttableProxy } from "../support/cuttable-proxy";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The TypeScript SDK against the real edge, its network cut by a proxy: while it is away messages
// are published; when it comes back it resubscribes with since/epoch and gets exactly what it
// missed, in order, once, then live messages, and says whether it recovered.

let s: TestStack;
let clients: SdkClients;
let proxy: CuttableProxy;
let n = 0;
const readers: NexusClient[] = [];

/** A client whose network goes through the proxy. */
async function openReader(): Promise<NexusClient> {
  const token = await s.token({ uid: "owner1", app: "sdkrec" });
  const nx = await connect({ url: proxy.url, token, kind: "webuo", reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
  readers.push(nx);
  return nx;
}

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  proxy = await CuttableProxy.start(new URL(s.httpUrl));
  await s.createApp("sdkrec", "owner1");
});

afterAll(async () => {
  await Promise.all(readers.map((nx) => nx.close()));
  await clients?.closeAll();
  await proxy?.stop();
  await s?.stop();
});

/** A subscription that records what it delivers and reports, and resolves `upTo(seq)` once it has that seq. */
async function watch(nx: NexusClient, channel: string) {
  const got: ChannelMessage[] = [];
  const waiters: { seq: number; resolve: () => void }[] = [];
  const sub: Subscription = await nx.subscribe(channel, (_t, m) => {
    got.push(m);
    for (const w of waiters.filter((x) => x.seq <= m.seq)) w.resolve();
  });
  const subscribed: ResubscribedEvent[] = [];
  const gaps: GapEvent[] = [];
  const resubscribed = new Promise<ResubscribedEvent>((resolve) =>
    sub.on("resubscribed", (e) => {
      subscribed.push(e);
      resolve(e);
    }),
  );
  sub.on("gap", (g) => gaps.push(g));
  const upTo = (seq: number) =>
    got.some((m) => m.seq >= seq) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ seq, resolve }));
  return { sub, got, subscribed, gaps, resubscribed, upTo };
}

async function away(nx: NexusClient, whileAway: () => Promise<void>): Promise<void> {
  proxy.hold();
  const dropped = waitState(nx, "disconnected");
  proxy.cut();
  await dropped;
  await whileAway();
  proxy.release();
}

describe("recovery through the SDK", () => {
  it("delivers what was published while the network was gone, in order, once, then live ones", async () => {
    const channel = `sdkrec/${++n}`;
    const publisher = await clients.open({ uid: "owner1", app: "sdkrec" }, { kind: "default" });
    const reader = await openReader();
    const w = await watch(reader, channel);
    for (let i = 1; i <= 3; i++) await publisher.publish(channel, `m${i}`, { ack: true });
    await w.upTo(3);

    await away(reader, async () => {
      for (let i = 4; i <= 8; i++) await publisher.publish(channel, `m${i}`, { ack: true });
    });
    const e = await w.resubscribed;
    expect(e).toEqual({ channel, recovered: true, epoch: expect.any(String), seq: 8 });
    await publisher.publish(channel, "m9", { ack: true });
    await w.upTo(9);
    expect(w.got.map((m) => [m.seq, m.text])).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, `m${i + 1}`]));
    expect(w.sub.recovered).toBe(true);
    expect(w.gaps).toEqual([]);
  });

  it("says it did not recover when history no longer holds what was missed, then goes on live", async () => {
    const channel = `sdkrec/${++n}`;
    const publisher = await clients.open({ uid: "owner1", app: "sdkrec" }, { kind: "default" });
    const reader = await openReader();
    const w = await watch(reader, channel);
    await publisher.publish(channel, "m1", { ack: true });
    await w.upTo(1);

    await away(reader, async () => {
      // Past the default history of 256 messages.
      await Promise.all(Array.from({ length: 300 }, (_, i) => publisher.publish(channel, `away${i}`, { ack: true })));
    });
    expect(await w.resubscribed).toMatchObject({ channel, recovered: false, seq: 301 });
    expect(w.gaps).toEqual([{ channel, reason: "not_recovered", afterSeq: 1, nextSeq: 302, epochChanged: false }]);
    await publisher.publish(channel, "live", { ack: true });
    await w.upTo(302);
    expect(w.got.map((m) => m.seq)).toEqual([1, 302]);
    expect(w.sub.recovered).toBe(false);
  });
});
