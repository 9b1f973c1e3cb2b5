import type { NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitState } from "../../sdk/src/testing/wait";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The edge restarts under connected SDK clients: they reconnect by themselves, keep their JIDs,
// their served methods and subscriptions work again, and nothing hangs.

let s: TestStack;
let clients: SdkClients;

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  await s.createApp("sdkrestart", "owner1");
});

afterAll(async () => {
  await clients?.closeAll();
  await s?.stop();
});

/** Subscribes and hands out the channel's messages one by one as they arrive. */
async function messages(nx: NexusClient, channel: string): Promise<{ texts: string[]; next(): Promise<string> }> {
  const texts: string[] = [];
  const waiters: ((t: string) => void)[] = [];
  await nx.subscribe(channel, (t) => {
    texts.push(t);
    waiters.shift()?.(t);
  });
  return { texts, next: () => new Promise((r) => waiters.push(r)) };
}

describe("edge restart", () => {
  it("reconnects, restores serve and subscribe, and rejects what was in flight", async () => {
    const worker = await clients.open({ uid: "owner1", app: "sdkrestart" }, { kind: "default" });
    await worker.serve("sum", ({ a, b }: { a: number; b: number }) => a + b);
    let hangStarted!: () => void;
    const hanging = new Promise<void>((r) => {
      hangStarted = r;
    });
    await worker.serve("hang", () => {
      hangStarted();
      return new Promise(() => {});
    });
    const front = await clients.open({ uid: "owner1", app: "sdkrestart" }, { kind: "webuo" });
    const ticks = await messages(front, "sdk/ticks");
    const firstTick = ticks.next();
    await worker.publish("sdk/ticks", "before");
    expect(await firstTick).toBe("before");
    expect(await front.api("sdkrestart", "sum", { a: 1, b: 2 })).toBe(3);

    const before = { worker: worker.jid, front: front.jid };
    const inFlight = front.api("sdkrestart", "hang", null, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await hanging;
    const dropped = Promise.all([waitState(worker, "disconnected"), waitState(front, "disconnected")]);
    await s.restartEdge();
    await dropped;
    expect(await inFlight).toMatchObject({ code: "disconnected", retryable: true });

    await Promise.all([waitState(worker, "connected"), waitState(front, "connected")]);
    expect({ worker: worker.jid, front: front.jid }).toEqual(before);
    expect(await front.api("sdkrestart", "sum", { a: 20, b: 22 })).toBe(42);
    const afterTick = ticks.next();
    await worker.publish("sdk/ticks", "after");
    expect(await afterTick).toBe("after");
    expect(ticks.texts).toEqual(["before", "after"]);
  });

  it("calls made while the edge is down wait and go out after the restore", async () => {
    const worker = await clients.open({ uid: "owner1", app: "sdkrestart" }, { kind: "default" });
    await worker.serve("echo", (d: unknown) => d);
    const down = waitState(worker, "disconnected");
    const restarted = s.restartEdge();
    await down;
    // Calling itself: its own serve is restored before held calls are flushed, so this cannot race.
    const held = worker.api("sdkrestart", "echo", "held", { resource: worker.identity!.resource, timeoutMs: 20_000 });
    const found = worker.find({ kind: "default" });
    await restarted;
    expect(await held).toBe("held");
    expect((await found).map((b) => b.jid)).toContain(worker.jid);
  });
});
