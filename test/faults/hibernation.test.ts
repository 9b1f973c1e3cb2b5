import { type ChannelMessage, connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";

// workerd evicts an idle Durable Object after about 10 s while keeping its hibernatable sockets.
const IDLE_MS = 15_000;
const APP = "fhib";

let s: TestStack;
let worker: NexusClient;
let subscriber: NexusClient;
let caller: NexusClient;
const received: ChannelMessage[] = [];
let arrived: (() => void) | undefined;
let releaseSlow: ((value: unknown) => void) | undefined;
let slowStarted: (() => void) | undefined;

beforeAll(async () => {
  s = await startStack();
  await s.createApp(APP, "owner");
  const token = await s.token({ uid: "owner", app: APP });
  worker = await connect({ url: s.httpUrl, token, kind: "default" });
  await worker.serve("echo", (data) => ({ echo: data }));
  await worker.serve("slow", () => {
    slowStarted?.();
    return new Promise((resolve) => {
      releaseSlow = resolve;
    });
  });
  subscriber = await connect({ url: s.httpUrl, token, kind: "webuo" });
  await subscriber.subscribe("fhib/news", (_text, m) => {
    received.push(m);
    arrived?.();
  });
  caller = await connect({ url: s.httpUrl, token, kind: "webuo" });
});

afterAll(async () => {
  await Promise.all([worker, subscriber, caller].map((c) => c?.close()));
  await s?.stop();
});

async function nextMessage(text: string): Promise<ChannelMessage> {
  for (;;) {
    const found = received.find((m) => m.text === text);
    if (found) return found;
    await new Promise<void>((resolve) => (arrived = resolve));
  }
}

const messagesIn = async () =>
  (await s.admin("GET", "/v1/admin/stats")).body.apps.find((a: { app: string }) => a.app === APP).messagesIn as number;

/** Idleness is the condition under test, so this wait is the test's subject, not a synchronisation. */
const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));

describe("SDK clients idle past real hibernation", () => {
  it("call, publish, Direct and Find work as before, channel seq continues, none of it twice", {
    timeout: IDLE_MS + 30_000,
  }, async () => {
    expect(await caller.api(APP, "echo", 1)).toEqual({ echo: 1 });
    await caller.publish("fhib/news", "before", { ack: true });
    const before = await nextMessage("before");
    const states: string[] = [];
    for (const c of [worker, subscriber, caller]) c.on("state", (st) => states.push(st));

    await idle();
    expect(await messagesIn()).toBe(0); // the app object was evicted: a new instance answers

    expect(await caller.api(APP, "echo", 2)).toEqual({ echo: 2 });
    await caller.publish("fhib/news", "after", { ack: true });
    const after = await nextMessage("after");
    expect(after.seq).toBe(before.seq + 1);
    const directs: string[] = [];
    const gotDirect = new Promise<void>((resolve) =>
      worker.onDirect((text) => {
        directs.push(text);
        resolve();
      }),
    );
    await caller.direct(APP, worker.identity!.resource, "wake", { ack: true });
    await gotDirect;
    const found = await caller.find({ app: APP, kind: "default", scope: "app" });
    expect(found.map((b) => [b.jid, [...(b.methods ?? [])].sort()])).toEqual([[worker.jid, ["echo", "slow"]]]);
    expect(received.map((m) => m.text)).toEqual(["before", "after"]);
    expect(directs).toEqual(["wake"]);
    expect(states).toEqual([]); // nobody was disconnected by the hibernation
  });

  it("answers a call that was in flight while everything idled", { timeout: IDLE_MS + 30_000 }, async () => {
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const answer = caller.api(APP, "slow", null, { timeoutMs: 30_000 });
    await started;
    await idle();
    releaseSlow!({ late: true });
    expect(await answer).toEqual({ late: true });
    expect(await caller.api(APP, "echo", 3)).toEqual({ echo: 3 });
  });
});
